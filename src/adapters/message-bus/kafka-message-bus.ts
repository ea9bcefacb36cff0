import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type {
  Consumer,
  IncomingMessage,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
} from '../../ports/message-bus';
import { KafkaConsumer, type RedeliveryBackoff } from './kafka-consumer';
import { kafkaLogCreator, type KafkaLogger } from './kafka-log';
import { KafkaSendQueue } from './kafka-send-queue';
import { KafkaTopics } from './kafka-topics';

export interface KafkaMessageBusOptions {
  /** Bootstrap brokers: "host:port,host:port" (KAFKA_BROKERS) or a list. */
  brokers: string | string[];
  clientId?: string;
  /** Partitions of a topic this bus creates; a topic keeps the count it was created with. Default 8. */
  partitions?: number;
  /** Replication factor of the topics this bus creates. Default 1. */
  replicationFactor?: number;
  /**
   * Prefixes every topic and consumer group (`<namespace>.jimeng.jobs`), so several deployments
   * (staging and production, say) can share one cluster without consuming each other's jobs.
   * Handlers see the topic names without it. Default: none.
   */
  namespace?: string;
  /** Where kafkajs logs (a pino logger fits); silent without one. */
  logger?: KafkaLogger;
  /** kafkajs' own level filter. Default WARN. */
  logLevel?: logLevel;
  /** Redelivery backoff after a throwing handler: doubles from initialMs up to maxMs. */
  retryBackoff?: Partial<RedeliveryBackoff>;
  /** Told about every throwing handler, e.g. to log it. */
  onError?: (error: unknown, message: IncomingMessage) => void;
  /** Consumer group session timeout. Default 10 000. */
  sessionTimeoutMs?: number;
  /** How often consumers heartbeat between messages. Default 1 000. */
  heartbeatIntervalMs?: number;
  /** How long a fetch waits at the broker for new messages. Default 100. */
  maxWaitTimeInMs?: number;
  /** Concurrent publishes are joined into one send up to this many messages. Default 1 000. */
  maxMessagesPerSend?: number;
}

/**
 * The production MessageBus on Kafka (kafkajs). Publishing goes through one idempotent producer
 * (acks from all in-sync replicas, key = ordering key, Kafka's murmur2 partitioner like the
 * embedded bus); each subscribe call is a kafkajs consumer in its group. Topics are created
 * before first use, by publish and subscribe alike, since a broker's auto-creation would give
 * them its own partition count.
 */
export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly topics: KafkaTopics;
  private readonly producer: Producer;
  private readonly sends: KafkaSendQueue;
  private readonly consumers = new Set<KafkaConsumer>();
  private readonly backoff: RedeliveryBackoff;
  private readonly onError: (error: unknown, message: IncomingMessage) => void;
  private readonly consumerSettings: {
    sessionTimeout: number;
    heartbeatInterval: number;
    maxWaitTimeInMs: number;
  };
  private producerConnected: Promise<void> | undefined;
  private closed = false;
  private readonly prefix: string;

  constructor(options: KafkaMessageBusOptions) {
    this.prefix = options.namespace ? `${options.namespace}.` : '';
    const brokers = (Array.isArray(options.brokers) ? options.brokers : options.brokers.split(','))
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0);
    if (brokers.length === 0) throw new Error('KafkaMessageBus needs at least one broker');
    const partitions = options.partitions ?? 8;
    const replicationFactor = options.replicationFactor ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new Error('partitions must be a positive integer');
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1)
      throw new Error('replicationFactor must be a positive integer');

    this.kafka = new Kafka({
      clientId: options.clientId ?? 'jimeng-orchestrator',
      brokers,
      logLevel: options.logLevel ?? logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger),
    });
    this.topics = new KafkaTopics(this.kafka.admin(), { partitions, replicationFactor });
    this.producer = this.kafka.producer({
      idempotent: true,
      // Idempotence in kafkajs keeps order only with one request in flight per broker connection.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.sends = new KafkaSendQueue((messages) => this.send(messages), options.maxMessagesPerSend ?? 1_000);
    this.backoff = {
      initialMs: options.retryBackoff?.initialMs ?? 100,
      maxMs: options.retryBackoff?.maxMs ?? 5_000,
    };
    this.onError = options.onError ?? (() => undefined);
    this.consumerSettings = {
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
    };
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    const namespaced = this.prefix
      ? messages.map((message) => ({ ...message, topic: this.prefix + message.topic }))
      : messages;
    await this.topics.ensure(namespaced.map((message) => message.topic));
    await this.sends.enqueue(namespaced);
  }

  async subscribe(options: SubscribeOptions): Promise<Consumer> {
    this.assertOpen();
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('concurrency must be a positive integer');
    const topics = [...new Set(options.topics)].map((topic) => this.prefix + topic);
    await this.topics.ensure(topics);

    const kafkaConsumer = this.kafka.consumer({
      groupId: this.prefix + options.groupId,
      ...this.consumerSettings,
      allowAutoTopicCreation: false,
      // Fetch and coordination failures: retry with backoff, then kafkajs restarts the consumer.
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 10, restartOnFailure: async () => true },
    });
    const consumer = new KafkaConsumer({
      consumer: kafkaConsumer,
      handler: options.handler,
      backoff: this.backoff,
      onError: this.onError,
      onStopped: (stopped) => this.consumers.delete(stopped),
      topicName: (kafkaTopic) => kafkaTopic.slice(this.prefix.length),
    });
    try {
      await kafkaConsumer.connect();
      await kafkaConsumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await kafkaConsumer.run({
        partitionsConsumedConcurrently: concurrency,
        eachBatchAutoResolve: false,
        eachBatch: consumer.eachBatch,
      });
    } catch (error) {
      await kafkaConsumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    if (this.producerConnected) await this.producer.disconnect();
    await this.topics.close();
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    await (this.producerConnected ??= this.producer.connect().catch((error: unknown) => {
      this.producerConnected = undefined;
      throw error;
    }));
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic);
      if (list) list.push(message);
      else byTopic.set(message.topic, [message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((message) => ({
          key: message.key,
          value: message.value,
          ...(message.headers ? { headers: message.headers } : {}),
        })),
      })),
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KafkaMessageBus is closed');
  }
}
