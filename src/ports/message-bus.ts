/**
 * The message bus port: topics with keyed ordering (one key is always handled in order by one
 * consumer of a group), consumer groups, durable offsets, at-least-once delivery. Adapters:
 * in-process over SQLite (embedded) and Kafka (production).
 */
export interface OutgoingMessage {
  topic: string;
  /** Ordering key: the stream id, so one storyboard's jobs never overtake each other. */
  key: string;
  /** JSON text. */
  value: string;
  headers?: Record<string, string>;
}

export interface IncomingMessage extends OutgoingMessage {
  partition: number;
  offset: string;
}

export interface ConsumeContext {
  /** Keep group membership alive during a handler that waits (for capacity, say). */
  heartbeat(): Promise<void>;
}

/**
 * Resolving commits the message's offset; throwing redelivers it (after the adapter's backoff).
 * A handler must not run a long call inline: it hands long work elsewhere and returns.
 */
export type MessageHandler = (message: IncomingMessage, context: ConsumeContext) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: MessageHandler;
  /** Where a group without a committed offset starts. Default true. */
  fromBeginning?: boolean;
  /** How many partitions (keys) may be handled at once. Default 1. */
  concurrency?: number;
}

export interface Consumer {
  stop(): Promise<void>;
}

export interface MessageBus {
  /** Resolves once every message is durably accepted by the bus. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Consumer>;
  close(): Promise<void>;
}

export const MESSAGE_BUS = Symbol.for('MessageBus');

/** Topic names of DESIGN §1. */
export const TOPICS = {
  jobs: 'jimeng.jobs',
  events: 'jimeng.events',
} as const;
