import type { Consumer as KafkaJsConsumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { ConsumeContext, Consumer, IncomingMessage, MessageHandler } from '../../ports/message-bus';

export interface RedeliveryBackoff {
  initialMs: number;
  maxMs: number;
}

export interface KafkaConsumerDependencies {
  consumer: KafkaJsConsumer;
  handler: MessageHandler;
  backoff: RedeliveryBackoff;
  /** A handler threw; its message comes again after the backoff. */
  onError(error: unknown, message: IncomingMessage): void;
  onStopped(consumer: KafkaConsumer): void;
  /** The bus's name of a Kafka topic (without the bus's namespace). */
  topicName(kafkaTopic: string): string;
}

/**
 * One subscribe call over a kafkajs consumer. Offsets are resolved one message at a time, only
 * after the handler resolved (kafkajs commits resolved offsets after each batch and on stop).
 * A throwing handler pauses only its own partition: the partition is fetched again from the
 * failed message after a backoff that grows while it keeps failing, so nothing is dropped and
 * other partitions keep flowing. A rebalance noticed by a heartbeat is left to kafkajs.
 */
export class KafkaConsumer implements Consumer {
  private readonly failures = new Map<string, number>();
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private stopped: Promise<void> | undefined;

  constructor(private readonly deps: KafkaConsumerDependencies) {}

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, pause, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const partitionKey = `${batch.topic}\u0000${batch.partition}`;
    for (const message of batch.messages) {
      if (this.stopped || !isRunning() || isStale()) return;
      const incoming = toIncoming(this.deps.topicName(batch.topic), batch.partition, message);
      let lostMembership: unknown;
      const context: ConsumeContext = {
        heartbeat: async () => {
          try {
            await heartbeat();
          } catch (error) {
            lostMembership = error;
            throw error;
          }
        },
      };
      try {
        await this.deps.handler(incoming, context);
      } catch (error) {
        // The group is rebalancing: kafkajs rejoins, and the partition's new owner redelivers.
        if (lostMembership) throw lostMembership;
        this.deps.onError(error, incoming);
        pause();
        this.resumeLater(batch.topic, batch.partition, partitionKey);
        return;
      }
      this.failures.delete(partitionKey);
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  };

  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      for (const timer of this.resumeTimers.values()) clearTimeout(timer);
      this.resumeTimers.clear();
      try {
        await this.deps.consumer.disconnect();
      } finally {
        this.deps.onStopped(this);
      }
    })());
  }

  private resumeLater(topic: string, partition: number, partitionKey: string): void {
    const failures = (this.failures.get(partitionKey) ?? 0) + 1;
    this.failures.set(partitionKey, failures);
    const { initialMs, maxMs } = this.deps.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 20));
    clearTimeout(this.resumeTimers.get(partitionKey));
    const timer = setTimeout(() => {
      this.resumeTimers.delete(partitionKey);
      if (!this.stopped) this.deps.consumer.resume([{ topic, partitions: [partition] }]);
    }, delay);
    this.resumeTimers.set(partitionKey, timer);
  }
}

function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  const incoming: IncomingMessage = {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
  };
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    // Kafka allows a header more than once; the port has one value per name: the last one.
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) headers[name] = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  }
  if (Object.keys(headers).length > 0) incoming.headers = headers;
  return incoming;
}
