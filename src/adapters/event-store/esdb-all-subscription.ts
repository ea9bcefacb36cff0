import {
  excludeSystemEvents,
  START,
  streamNameFilter,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Position,
} from '@eventstore/db-client';
import type { AllSubscription, StoredEvent } from '../../ports/event-store';
import { isSystemEvent, positionOf, toStoredEvent } from './esdb-recorded-event';

export interface ResubscribeBackoff {
  initialMs: number;
  maxMs: number;
}

export interface EsdbAllSubscriptionSettings {
  backoff: ResubscribeBackoff;
  /** Told about every dropped server subscription before it is opened again. */
  onDropped(error: unknown, attempt: number): void;
}

/**
 * A catch-up subscription to $all that survives dropped connections: when the server
 * subscription errors or ends, it opens a new one strictly after the last event it saw, after a
 * growing pause. Positions are exclusive in EventStoreDB, so the consumer sees neither a gap nor
 * a duplicate across the reconnection.
 */
export class EsdbAllSubscription implements AllSubscription {
  private closed = false;
  private cursor: Position | typeof START;
  private current: AllStreamSubscription | undefined;
  private interruptPause: () => void = () => undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    from: bigint | 'start',
    private readonly streamPrefixes: string[] | undefined,
    private readonly settings: EsdbAllSubscriptionSettings,
    private readonly onClosed: (subscription: EsdbAllSubscription) => void,
  ) {
    // The port's positions are commit positions; events written outside explicit transactions
    // (all of ours) have prepare = commit.
    this.cursor = from === 'start' ? START : { commit: from, prepare: from };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    let attempt = 0;
    try {
      while (!this.closed) {
        const subscription = this.open();
        subscription.once('confirmation', () => (attempt = 0));
        let failure: unknown = new Error('the server ended the subscription');
        try {
          for await (const resolved of subscription as AsyncIterable<Parameters<typeof positionOf>[0]>) {
            if (this.closed) return;
            const position = positionOf(resolved);
            // Skipped system events move the cursor too: nothing before them needs reading again.
            if (position) this.cursor = position;
            if (!resolved.event || isSystemEvent(resolved.event)) continue;
            const event = toStoredEvent(resolved);
            if (event) yield event;
          }
        } catch (error) {
          failure = error;
        } finally {
          await this.release(subscription);
        }
        if (this.closed) return;
        attempt += 1;
        this.settings.onDropped(failure, attempt);
        await this.pause(attempt);
      }
    } finally {
      this.markClosed();
    }
  }

  async close(): Promise<void> {
    const subscription = this.current;
    this.markClosed();
    if (subscription) await this.release(subscription);
  }

  private open(): AllStreamSubscription {
    const filter = this.streamPrefixes
      ? streamNameFilter({ prefixes: this.streamPrefixes })
      : excludeSystemEvents();
    const subscription = this.client.subscribeToAll({ fromPosition: this.cursor, filter });
    this.current = subscription;
    return subscription;
  }

  private async release(subscription: AllStreamSubscription): Promise<void> {
    if (this.current === subscription) this.current = undefined;
    // unsubscribe() cancels the gRPC call; destroy() ends an iteration waiting for live events.
    await subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
  }

  private pause(attempt: number): Promise<void> {
    const { initialMs, maxMs } = this.settings.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.interruptPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.interruptPause();
    this.onClosed(this);
  }
}
