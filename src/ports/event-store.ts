/**
 * The event store port. Streams are append-only sequences with optimistic concurrency; the store
 * also has one global order ("$all") that subscriptions follow. Adapters: SQLite (embedded) and
 * EventStoreDB (production). Revisions are 0-based like EventStoreDB's; positions are opaque,
 * strictly increasing along the global order, and comparable as bigint.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  /** The HTTP request or job that caused this event. */
  correlationId?: string;
  /** The id of the event or message this event answers. */
  causationId?: string;
  /** create_by / update_by of the requirement, or a worker's name. */
  actor?: string;
  /** Schema version of `data`, for upcasting on read. */
  schemaVersion?: number;
  [key: string]: unknown;
}

export interface EventToAppend {
  /** A UUID. Deterministic where a retry could append the same fact twice: a store ignores an
   * append whose ids repeat the stream's last append (EventStoreDB idempotence). */
  id?: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

export interface StoredEvent {
  streamId: string;
  revision: number;
  position: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  createdAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** Global position of the last event appended. */
  position: bigint;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Exclusive: events strictly after this position. 'start' replays everything. */
  from: bigint | 'start';
  /** Only events of streams whose id starts with one of these prefixes. */
  streamPrefixes?: string[];
}

/** Async iteration of events in global order; history first, then live. */
export interface AllSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export interface EventStore {
  append(
    streamId: string,
    events: EventToAppend[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  /** A missing stream reads as an empty list. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  subscribeToAll(options: SubscribeToAllOptions): AllSubscription;
  /** Position of the newest event in the store, or null when empty. */
  headPosition(): Promise<bigint | null>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol.for('EventStore');
