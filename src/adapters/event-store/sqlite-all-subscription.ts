import type { AllSubscription, StoredEvent } from '../../ports/event-store';
import type { WakeSignal } from '../sqlite/wake-signal';

export interface AllPage {
  events: StoredEvent[];
  /** Every position up to here has been examined (matching or not), so the next page starts after it. */
  scannedTo: bigint;
}

export interface AllPageReader {
  readPage(after: bigint, limit: number, streamPrefixes: string[] | undefined): AllPage;
}

export interface AllSubscriptionSettings {
  pageSize: number;
  pollIntervalMs: number;
}

/**
 * Catch-up subscription over es_events: pages of history, then waits for an in-process append
 * notification or the poll interval (appends from another connection or process only show up by
 * polling).
 */
export class SqliteAllSubscription implements AllSubscription {
  private closed = false;
  private cursor: bigint;
  private interruptWait: () => void = () => undefined;

  constructor(
    private readonly reader: AllPageReader,
    private readonly signal: WakeSignal,
    from: bigint | 'start',
    private readonly streamPrefixes: string[] | undefined,
    private readonly settings: AllSubscriptionSettings,
    private readonly onClosed: (subscription: SqliteAllSubscription) => void,
  ) {
    this.cursor = from === 'start' ? 0n : from;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    try {
      while (!this.closed) {
        const version = this.signal.version;
        const page = this.reader.readPage(this.cursor, this.settings.pageSize, this.streamPrefixes);
        for (const event of page.events) {
          if (this.closed) return;
          this.cursor = event.position;
          yield event;
        }
        if (page.scannedTo > this.cursor) this.cursor = page.scannedTo;
        if (page.events.length < this.settings.pageSize && !this.closed) {
          const wait = this.signal.wait(version, this.settings.pollIntervalMs);
          this.interruptWait = wait.interrupt;
          await wait.done;
        }
      }
    } finally {
      this.markClosed();
    }
  }

  async close(): Promise<void> {
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.interruptWait();
    this.onClosed(this);
  }
}
