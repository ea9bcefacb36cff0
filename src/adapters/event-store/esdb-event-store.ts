import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
} from '@eventstore/db-client';
import {
  WrongExpectedRevisionError,
  type AllSubscription,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeToAllOptions,
} from '../../ports/event-store';
import { EsdbAllSubscription, type ResubscribeBackoff } from './esdb-all-subscription';
import { isSystemEvent, positionOf, toStoredEvent } from './esdb-recorded-event';

export interface EsdbEventStoreOptions {
  /** Pause before a dropped subscription is opened again: doubles from initialMs up to maxMs. */
  resubscribeBackoff?: Partial<ResubscribeBackoff>;
  /** Told about every dropped subscription (e.g. to log it); the subscription reopens by itself. */
  onSubscriptionDropped?: (error: unknown, attempt: number) => void;
}

// A position the server does not know is sent as -1 in an unsigned field.
const NO_POSITION = 2n ** 63n;

// Events read per page while headPosition() looks past the server's own events.
const HEAD_PAGE_SIZE = 32;

/**
 * The production EventStore on EventStoreDB. Data and metadata are stored as JSON; positions are
 * $all commit positions. A connection string makes the store own (and dispose) its client; a
 * client passed in stays the caller's.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly backoff: ResubscribeBackoff;
  private readonly onSubscriptionDropped: (error: unknown, attempt: number) => void;
  private readonly subscriptions = new Set<EsdbAllSubscription>();
  private closed = false;

  constructor(connection: string | EventStoreDBClient, options: EsdbEventStoreOptions = {}) {
    this.ownsClient = typeof connection === 'string';
    this.client =
      typeof connection === 'string' ? EventStoreDBClient.connectionString(connection) : connection;
    this.backoff = {
      initialMs: options.resubscribeBackoff?.initialMs ?? 100,
      maxMs: options.resubscribeBackoff?.maxMs ?? 5_000,
    };
    this.onSubscriptionDropped = options.onSubscriptionDropped ?? (() => undefined);
  }

  async append(
    streamId: string,
    events: EventToAppend[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    this.assertOpen();
    const proposed = events.map((event) =>
      jsonEvent({
        id: event.id ?? randomUUID(),
        type: event.type,
        data: (event.data ?? null) as JSONType,
        ...(event.metadata === undefined ? {} : { metadata: event.metadata as JSONType }),
      }),
    );
    try {
      const result = await this.client.appendToStream(streamId, proposed, {
        expectedRevision: toClientRevision(expectedRevision),
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // An empty append, and on some servers an idempotent retry, reports no position: the
      // stream's last event has it.
      const reported = result.position?.commit;
      const position =
        proposed.length > 0 && reported !== undefined && reported < NO_POSITION
          ? reported
          : await this.lastPositionOf(streamId);
      return { nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual =
          typeof error.actualVersion === 'bigint'
            ? Number(error.actualVersion)
            : error.actualVersion === 'no_stream'
              ? -1
              : await this.lastRevisionOf(streamId);
        throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
      }
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision:
        options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = toStoredEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    this.assertOpen();
    const prefixes = options.streamPrefixes?.length ? [...options.streamPrefixes] : undefined;
    const subscription = new EsdbAllSubscription(
      this.client,
      options.from,
      prefixes,
      { backoff: this.backoff, onDropped: this.onSubscriptionDropped },
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The newest event that is not the server's own ($-prefixed streams and types). */
  async headPosition(): Promise<bigint | null> {
    this.assertOpen();
    let from: Position | typeof END = END;
    for (;;) {
      let oldest: Position | undefined;
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: from,
        maxCount: HEAD_PAGE_SIZE,
      })) {
        const position = positionOf(resolved);
        const bound = oldest ?? (from === END ? undefined : from);
        // Only ever further back, should a server read a page boundary inclusively.
        if (!position || (bound !== undefined && position.commit >= bound.commit)) continue;
        oldest = position;
        if (resolved.event && !isSystemEvent(resolved.event)) return position.commit;
      }
      if (oldest === undefined) return null;
      from = oldest;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.ownsClient) await this.client.dispose();
  }

  private async lastPositionOf(streamId: string): Promise<bigint> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.position ?? 0n;
  }

  private async lastRevisionOf(streamId: string): Promise<number> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? -1;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EsdbEventStore is closed');
  }
}

function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}
