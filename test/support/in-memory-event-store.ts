import { randomUUID } from 'node:crypto';
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
} from '../../src/ports/event-store';

/**
 * A minimal EventStore for domain unit tests: optimistic concurrency, repeated-id idempotence of
 * the last append, forward/backward reads. `subscribeToAll` only replays what is stored.
 */
export class InMemoryEventStore implements EventStore {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Called before each append; lets a test slip in a concurrent writer. */
  beforeAppend?: (streamId: string) => Promise<void> | void;
  appendCalls = 0;

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.appendCalls++;
    const hook = this.beforeAppend;
    this.beforeAppend = undefined;
    await hook?.(streamId);
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length - 1;
    const ids = events.map((e) => e.id);
    const tail = stream.slice(-events.length).map((e) => e.id);
    if (
      events.length > 0 &&
      ids.every((id) => id !== undefined) &&
      JSON.stringify(tail) === JSON.stringify(ids)
    ) {
      return { nextExpectedRevision: actual, position: stream[stream.length - 1]!.position };
    }
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === -1) ||
      (expected === 'stream_exists' && actual >= 0) ||
      expected === actual;
    if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
    for (const event of events) {
      const stored: StoredEvent = {
        streamId,
        revision: stream.length,
        position: BigInt(this.all.length + 1),
        id: event.id ?? randomUUID(),
        type: event.type,
        data: structuredClone(event.data),
        metadata: { ...event.metadata },
        createdAt: new Date(),
      };
      stream.push(stored);
      this.all.push(stored);
    }
    this.streams.set(streamId, stream);
    return { nextExpectedRevision: stream.length - 1, position: this.all[this.all.length - 1]!.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const stream = [...(this.streams.get(streamId) ?? [])];
    const backwards = options.direction === 'backwards';
    if (backwards) stream.reverse();
    const from = options.fromRevision;
    const selected =
      from === undefined
        ? stream
        : stream.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    return selected.slice(0, options.maxCount ?? selected.length);
  }

  /** Direct write, bypassing validation: for tests of invalid stored data. */
  injectRaw(streamId: string, type: string, data: unknown, schemaVersion?: number): void {
    const stream = this.streams.get(streamId) ?? [];
    const stored: StoredEvent = {
      streamId,
      revision: stream.length,
      position: BigInt(this.all.length + 1),
      id: randomUUID(),
      type,
      data,
      metadata: schemaVersion === undefined ? {} : { schemaVersion },
      createdAt: new Date(),
    };
    stream.push(stored);
    this.all.push(stored);
    this.streams.set(streamId, stream);
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    const events = this.all.filter(
      (e) =>
        (options.from === 'start' || e.position > options.from) &&
        (options.streamPrefixes === undefined ||
          options.streamPrefixes.some((p) => e.streamId.startsWith(p))),
    );
    return {
      async *[Symbol.asyncIterator]() {
        yield* events;
      },
      close: async () => undefined,
    };
  }

  async headPosition(): Promise<bigint | null> {
    return this.all.length === 0 ? null : this.all[this.all.length - 1]!.position;
  }

  async close(): Promise<void> {}
}
