// In-memory event log of the EventStoreDB test server.
// One array holds every event in $all order (index = log order, positions strictly increasing),
// and each stream keeps its own array, so reads and subscriptions never scan the whole log.

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly customMetadata: Uint8Array;
  readonly data: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly streamName: string;
  readonly revision: number;
  /** commit = prepare in this server; byte-offset-like, so positions are not contiguous. */
  readonly position: number;
  /** 100-ns ticks since the Unix epoch, as the server writes them in `created`. */
  readonly created: string;
  /** Index in the $all array. */
  readonly logIndex: number;
}

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: number };

export type AppendOutcome =
  | { kind: 'success'; revision: number; position: number }
  | { kind: 'wrong_expected_version'; current: number | 'no_stream'; expected: ExpectedRevision };

export interface StreamRecord {
  readonly name: string;
  readonly events: StoredEvent[];
  /** event id → revision, for idempotent retries with `any` / `stream_exists`. */
  readonly revisionById: Map<string, number>;
}

// Real positions start after the log's own preamble and system records; a user event at 0 would
// make "after position 0" skip it, so the first event sits further in.
const FIRST_POSITION = 1024;
// Fixed per-record overhead, so that positions grow like byte offsets of a transaction file.
const RECORD_OVERHEAD = 80;

export class EventLog {
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StreamRecord>();
  private readonly listeners = new Set<(streamName: string) => void>();
  private nextPosition = FIRST_POSITION;
  private lastTicks = 0n;

  stream(name: string): StreamRecord | undefined {
    return this.streams.get(name);
  }

  /** Registers a callback run after every successful write; returns the unregister function. */
  onAppended(listener: (streamName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamName: string, expected: ExpectedRevision, proposed: readonly ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamName);
    const current = stream === undefined || stream.events.length === 0 ? -1 : stream.events.length - 1;

    const retried = stream === undefined ? undefined : this.idempotentRetry(stream, expected, proposed);
    if (retried === 'corrupted') return this.wrongExpectedVersion(current, expected);
    if (retried !== undefined) return retried;

    switch (expected.kind) {
      case 'no_stream':
        if (current !== -1) return this.wrongExpectedVersion(current, expected);
        break;
      case 'stream_exists':
        if (current === -1) return this.wrongExpectedVersion(current, expected);
        break;
      case 'revision':
        if (expected.revision !== current) return this.wrongExpectedVersion(current, expected);
        break;
      case 'any':
        break;
    }

    // An empty append creates nothing and reports the stream as it is.
    if (proposed.length === 0) {
      const last = stream?.events[stream.events.length - 1];
      return { kind: 'success', revision: current, position: last?.position ?? -1 };
    }

    const target = stream ?? this.createStream(streamName);
    const created = this.nextTicks();
    let last: StoredEvent | undefined;
    for (const event of proposed) {
      last = {
        ...event,
        streamName,
        revision: target.events.length,
        position: this.nextPosition,
        created,
        logIndex: this.all.length,
      };
      this.nextPosition +=
        RECORD_OVERHEAD +
        streamName.length +
        event.type.length +
        event.data.length +
        event.customMetadata.length;
      target.events.push(last);
      target.revisionById.set(event.id, last.revision);
      this.all.push(last);
    }
    for (const listener of [...this.listeners]) listener(streamName);
    return { kind: 'success', revision: last!.revision, position: last!.position };
  }

  /** First $all index whose position is >= `position`. */
  indexAtOrAfter(position: number): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.all[mid]!.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** First $all index whose position is > `position`. */
  indexAfter(position: number): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.all[mid]!.position <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // Mirrors the real server's commit check: a retry of events already written at the place the
  // expected revision points to (or, with any / stream_exists, anywhere the first id was written)
  // is acknowledged with the original result; a partial match is a "corrupted idempotency" and
  // is reported as a wrong expected version.
  private idempotentRetry(
    stream: StreamRecord,
    expected: ExpectedRevision,
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | 'corrupted' | undefined {
    if (proposed.length === 0) return undefined;
    const current = stream.events.length - 1;
    let first: number | undefined;
    switch (expected.kind) {
      case 'revision':
        if (expected.revision >= current) return undefined;
        first = expected.revision + 1;
        break;
      case 'no_stream':
        if (current === -1) return undefined;
        first = 0;
        break;
      case 'any':
      case 'stream_exists':
        first = stream.revisionById.get(proposed[0]!.id);
        if (first === undefined) return undefined;
        break;
    }
    if (stream.events[first]?.id !== proposed[0]!.id) return undefined;
    for (let i = 1; i < proposed.length; i++) {
      if (stream.events[first + i]?.id !== proposed[i]!.id) return 'corrupted';
    }
    const last = stream.events[first + proposed.length - 1]!;
    return { kind: 'success', revision: last.revision, position: last.position };
  }

  private wrongExpectedVersion(current: number, expected: ExpectedRevision): AppendOutcome {
    return { kind: 'wrong_expected_version', current: current === -1 ? 'no_stream' : current, expected };
  }

  private createStream(name: string): StreamRecord {
    const record: StreamRecord = { name, events: [], revisionById: new Map() };
    this.streams.set(name, record);
    return record;
  }

  // Strictly increasing, so events keep their order even when appended within one millisecond.
  private nextTicks(): string {
    const now = BigInt(Date.now()) * 10_000n;
    this.lastTicks = now > this.lastTicks ? now : this.lastTicks + 1n;
    return this.lastTicks.toString();
  }
}
