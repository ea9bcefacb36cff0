import { systemClock, type Clock } from '../../ports/clock';
import type {
  Consumer,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
} from '../../ports/message-bus';
import type { SqliteDatabase } from '../sqlite/open-database';
import { ConsumerGroup } from './consumer-group';
import { SqliteConsumer, type ConsumerSettings } from './sqlite-consumer';
import { SqliteMessageLog } from './sqlite-message-log';

export interface SqliteMessageBusOptions {
  /** Partitions of a topic this bus creates; a topic keeps the count it was created with. Default 8. */
  partitions?: number;
  /** How often an idle consumer looks for messages published through another connection. Default 100. */
  pollIntervalMs?: number;
  /** Messages a partition worker delivers before it lets other partitions have a turn. Default 100. */
  batchSize?: number;
  /** Redelivery backoff after a throwing handler: doubles from initialMs up to maxMs. */
  retryBackoff?: { initialMs?: number; maxMs?: number };
  /**
   * How long a handled message's committed offset may live only in memory before it is written
   * (a crash redelivers at most that window). Default 50; 0 writes every offset at once.
   */
  commitIntervalMs?: number;
  /** How often messages consumed by every known group are deleted; false disables it. Default 60 000. */
  retentionIntervalMs?: number | false;
  clock?: Clock;
  /** Told about every throwing handler (and database failure while consuming), e.g. to log it. */
  onError?: (error: unknown, message: IncomingMessage | undefined) => void;
}

/**
 * The embedded MessageBus: topics with a fixed number of partitions (Kafka's key hash picks one),
 * messages and consumer-group offsets in the embedded profile's shared SQLite file. The Database
 * belongs to the caller; close() stops the consumers but leaves the connection open.
 *
 * Delivery is at-least-once: a group's offset is committed only after the handler resolves, so a
 * crash redelivers the messages in flight. Consumer groups coordinate within this process only:
 * members of one group in one process share its partitions (one member per partition at a time);
 * two processes consuming the same group from one file would both get every message.
 *
 * Retention: messages below the smallest committed offset of all groups ever seen on a partition
 * are deleted periodically. A group that is never used again therefore holds its topics' messages
 * back; a topic nobody consumes keeps everything.
 */
export class SqliteMessageBus implements MessageBus {
  private readonly log: SqliteMessageLog;
  private readonly clock: Clock;
  private readonly settings: Omit<ConsumerSettings, 'concurrency'>;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly consumers = new Set<SqliteConsumer>();
  private readonly retentionTimer: NodeJS.Timeout | undefined;
  private readonly onError: (error: unknown, message: IncomingMessage | undefined) => void;
  private closed = false;

  constructor(db: SqliteDatabase, options: SqliteMessageBusOptions = {}) {
    const partitions = options.partitions ?? 8;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error('partitions must be a positive integer');
    this.log = new SqliteMessageLog(db, partitions);
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? (() => undefined);
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? 100,
      batchSize: options.batchSize ?? 100,
      retryInitialMs: options.retryBackoff?.initialMs ?? 100,
      retryMaxMs: options.retryBackoff?.maxMs ?? 5_000,
      commitIntervalMs: options.commitIntervalMs ?? 50,
    };
    const retentionIntervalMs = options.retentionIntervalMs ?? 60_000;
    if (retentionIntervalMs !== false) {
      this.retentionTimer = setInterval(() => this.purgeQuietly(), retentionIntervalMs);
      this.retentionTimer.unref();
    }
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    this.log.publish(messages, this.clock.now().getTime());
    for (const group of this.groups.values()) group.wakeMembers();
  }

  async subscribe(options: SubscribeOptions): Promise<Consumer> {
    this.assertOpen();
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('concurrency must be a positive integer');
    const topics = [...new Set(options.topics)];
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = new ConsumerGroup(options.groupId);
      this.groups.set(options.groupId, group);
    }
    const now = this.clock.now().getTime();
    for (const topic of topics) {
      group.adopt(topic, this.log.join(options.groupId, topic, options.fromBeginning ?? true, now));
    }
    const joined = group;
    const consumer = new SqliteConsumer({
      log: this.log,
      group: joined,
      topics,
      handler: options.handler,
      settings: { ...this.settings, concurrency },
      onError: this.onError,
      onStopped: (stopped) => this.leave(joined, stopped),
    });
    group.members.add(consumer);
    this.consumers.add(consumer);
    return consumer;
  }

  /** Deletes messages every known group has consumed; returns how many. Also runs on a timer. */
  purgeConsumed(): number {
    this.assertOpen();
    return this.log.purgeConsumed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
  }

  private leave(group: ConsumerGroup, consumer: SqliteConsumer): void {
    this.consumers.delete(consumer);
    group.members.delete(consumer);
    if (group.members.size === 0) {
      // Forget the in-memory offsets: a later subscribe reloads them from the file.
      if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    } else {
      group.wakeMembers();
    }
  }

  private purgeQuietly(): void {
    try {
      this.log.purgeConsumed();
    } catch (error) {
      this.onError(error, undefined);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteMessageBus is closed');
  }
}
