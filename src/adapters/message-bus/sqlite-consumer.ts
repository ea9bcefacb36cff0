import type { ConsumeContext, Consumer, IncomingMessage, MessageHandler } from '../../ports/message-bus';
import type { ConsumerGroup, GroupMember, PartitionSlot } from './consumer-group';
import type { SqliteMessageLog } from './sqlite-message-log';

export interface ConsumerSettings {
  concurrency: number;
  pollIntervalMs: number;
  batchSize: number;
  retryInitialMs: number;
  retryMaxMs: number;
  commitIntervalMs: number;
}

export interface ConsumerDependencies {
  log: SqliteMessageLog;
  group: ConsumerGroup;
  topics: string[];
  handler: MessageHandler;
  settings: ConsumerSettings;
  /** A handler threw (message set) or the database failed; delivery resumes after the backoff. */
  onError(error: unknown, message: IncomingMessage | undefined): void;
  onStopped(consumer: SqliteConsumer): void;
}

const context: ConsumeContext = { heartbeat: async () => undefined };

/**
 * One subscribe call: a pump that hands free partitions with pending messages to at most
 * `concurrency` partition workers. A worker delivers one batch of a partition in order, committing
 * each offset only after its handler resolves (written to the file within commitIntervalMs, and
 * always before the worker lets the partition go); a throwing handler leaves the offset where it is and
 * holds back only its own partition until the backoff ends. Woken by publishes in this process,
 * by finished workers, and by a poll timer (for publishes from another connection).
 */
export class SqliteConsumer implements Consumer, GroupMember {
  private stopping = false;
  private pumpScheduled = false;
  private rotation = 0;
  private readonly workers = new Set<Promise<void>>();
  private readonly pollTimer: NodeJS.Timeout;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ConsumerDependencies) {
    this.pollTimer = setInterval(() => this.wake(), deps.settings.pollIntervalMs);
    this.pollTimer.unref();
    this.wake();
  }

  wake(): void {
    if (this.stopping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      try {
        this.pump();
      } catch (error) {
        // The database is gone or busy beyond its timeout; the poll timer tries again.
        this.deps.onError(error, undefined);
      }
    });
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      clearInterval(this.pollTimer);
      clearTimeout(this.retryTimer);
    }
    await Promise.all([...this.workers]);
    this.deps.onStopped(this);
  }

  private pump(): void {
    const { log, group, topics, settings } = this.deps;
    if (this.stopping || this.workers.size >= settings.concurrency) return;
    const now = Date.now();
    const ready: Array<{ slot: PartitionSlot; head: number }> = [];
    let nextRetryAt = Number.POSITIVE_INFINITY;
    for (const topic of topics) {
      for (const head of log.heads(topic)) {
        const slot = group.slot(topic, head.partition);
        if (!slot || slot.busy || slot.nextOffset >= head.nextOffset) continue;
        if (slot.retryAt > now) nextRetryAt = Math.min(nextRetryAt, slot.retryAt);
        else ready.push({ slot, head: head.nextOffset });
      }
    }
    // Start from a different partition each time so a busy partition cannot starve the others.
    this.rotation = (this.rotation + 1) % Math.max(1, ready.length);
    for (let index = 0; index < ready.length && this.workers.size < settings.concurrency; index += 1) {
      const { slot, head } = ready[(this.rotation + index) % ready.length];
      const worker = this.work(slot, head).finally(() => {
        this.workers.delete(worker);
        group.wakeMembers();
      });
      this.workers.add(worker);
    }
    if (nextRetryAt !== Number.POSITIVE_INFINITY) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.wake(), Math.max(0, nextRetryAt - now));
      this.retryTimer.unref();
    }
  }

  private async work(slot: PartitionSlot, head: number): Promise<void> {
    const { log, group, handler, settings } = this.deps;
    slot.busy = true;
    let current: IncomingMessage | undefined;
    let persisted = slot.nextOffset;
    let flushTimer: NodeJS.Timeout | undefined;
    // Offsets of handled messages reach the file in small groups rather than one write per message;
    // a crash in between redelivers them, which at-least-once allows.
    const flush = (): void => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      if (slot.nextOffset === persisted) return;
      const offset = slot.nextOffset;
      log.commit(group.groupId, slot.topic, slot.partition, offset, Date.now());
      persisted = offset;
    };
    const flushSoon = (): void => {
      if (settings.commitIntervalMs <= 0) flush();
      else
        flushTimer ??= setTimeout(() => {
          try {
            flush();
          } catch (error) {
            this.deps.onError(error, undefined);
          }
        }, settings.commitIntervalMs);
    };
    try {
      const batch = log.read(slot.topic, slot.partition, slot.nextOffset, settings.batchSize);
      if (batch.length === 0) {
        // Nothing is left below the head we saw (retention got there first): skip the gap.
        this.advance(slot, head);
        return;
      }
      for (const message of batch) {
        if (this.stopping) return;
        current = message;
        await handler(message, context);
        this.advance(slot, Number(message.offset) + 1);
        flushSoon();
      }
    } catch (error) {
      // The offset stays put, so the same message comes again after the backoff.
      slot.failures += 1;
      const backoff = Math.min(settings.retryMaxMs, settings.retryInitialMs * 2 ** (slot.failures - 1));
      slot.retryAt = Date.now() + backoff;
      this.deps.onError(error, current);
    } finally {
      try {
        flush();
      } catch (error) {
        this.deps.onError(error, undefined);
      }
      slot.busy = false;
    }
  }

  private advance(slot: PartitionSlot, nextOffset: number): void {
    slot.nextOffset = nextOffset;
    slot.failures = 0;
    slot.retryAt = 0;
  }
}
