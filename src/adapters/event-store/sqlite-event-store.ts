import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { systemClock, type Clock } from '../../ports/clock';
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
import { applyMigrations } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { WakeSignal } from '../sqlite/wake-signal';
import { SqliteAllSubscription, type AllPage } from './sqlite-all-subscription';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './sqlite-event-row';
import { EVENT_STORE_COMPONENT, eventStoreMigrations } from './sqlite-event-store-schema';

export interface SqliteEventStoreOptions {
  clock?: Clock;
  /** How often an idle subscription looks for appends made through another connection. */
  pollIntervalMs?: number;
  /** Events read per query while a subscription catches up. */
  pageSize?: number;
}

interface StreamTail {
  revision: number;
  id: string;
  position: number;
}

type InsertArgs = [string, number, string, string, string, string | null, number];

interface PendingAppend {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

type AppendOutcome =
  { ok: true; result: AppendResult & { written: boolean } } | { ok: false; error: unknown };

/**
 * The embedded EventStore: one es_events table in the embedded profile's shared SQLite file.
 * The Database belongs to the caller (other embedded adapters share it), so close() ends the
 * subscriptions but leaves the connection open.
 *
 * Appends run in an IMMEDIATE transaction: the revision check and the insert hold the write lock
 * together, so optimistic concurrency also holds against another process writing the same file.
 *
 * Group commit: appends requested in the same turn of the event loop (a batch of storyboards being
 * accepted, say) share one transaction, which is where an embedded append spends its time. Each
 * append is still checked and answered on its own: one that fails its expected revision writes
 * nothing and rejects alone; the others commit.
 */
export class SqliteEventStore implements EventStore {
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly signal = new WakeSignal();
  private readonly subscriptions = new Set<SqliteAllSubscription>();
  private closed = false;

  private readonly selectTail: Statement<[string], StreamTail>;
  private readonly selectTailIds: Statement<[string, number], { id: string }>;
  private readonly insert: Statement<InsertArgs>;
  private readonly selectForwards: Statement<[string, number, number], EventRow>;
  private readonly selectBackwards: Statement<[string, number, number], EventRow>;
  private readonly selectHead: Statement<[], { position: number | null }>;
  private readonly selectAllAfter: Statement<[bigint, number], EventRow>;
  private readonly selectPrefixedAfter = new Map<number, Statement<unknown[], EventRow>>();
  private readonly appendTransaction: (batch: PendingAppend[]) => AppendOutcome[];
  private pending: PendingAppend[] = [];
  private readonly pageTransaction: (after: bigint, limit: number, prefixes: string[] | undefined) => AllPage;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteEventStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.pageSize = options.pageSize ?? 500;
    applyMigrations(db, EVENT_STORE_COMPONENT, eventStoreMigrations);

    this.selectTail = db.prepare(
      'SELECT revision, id, position FROM es_events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.selectTailIds = db.prepare(
      'SELECT id FROM es_events WHERE stream_id = ? ORDER BY revision DESC LIMIT ?',
    );
    this.insert = db.prepare(
      `INSERT INTO es_events (stream_id, revision, id, type, data, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectForwards = db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = ? AND revision >= ?
       ORDER BY revision ASC LIMIT ?`,
    );
    this.selectBackwards = db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = ? AND revision <= ?
       ORDER BY revision DESC LIMIT ?`,
    );
    this.selectHead = db.prepare('SELECT max(position) AS position FROM es_events');
    this.selectAllAfter = db.prepare(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > ? ORDER BY position ASC LIMIT ?`,
    );
    const append = db.transaction((batch: PendingAppend[]) =>
      batch.map((item): AppendOutcome => {
        try {
          return { ok: true, result: this.appendInTransaction(item.streamId, item.events, item.expected) };
        } catch (error) {
          // A refused append inserted nothing (checks come before inserts); the others go on.
          if (error instanceof WrongExpectedRevisionError) return { ok: false, error };
          throw error;
        }
      }),
    );
    this.appendTransaction = (batch) => append.immediate(batch);
    // One snapshot for the page and the head, so "scanned up to the head" cannot skip a commit
    // that lands between the two queries.
    const page = db.transaction(this.readPageInTransaction.bind(this));
    this.pageTransaction = (after, limit, prefixes) => page.deferred(after, limit, prefixes);
  }

  async append(
    streamId: string,
    events: EventToAppend[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    this.assertOpen();
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ streamId, events, expected: expectedRevision, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.appendTransaction(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    let written = false;
    outcomes.forEach((outcome, index) => {
      const item = batch[index]!;
      if (outcome.ok) {
        const { written: wrote, ...result } = outcome.result;
        written ||= wrote;
        item.resolve(result);
      } else item.reject(outcome.error);
    });
    if (written) this.signal.notify();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.selectBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.selectForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toStoredEvent);
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    this.assertOpen();
    const prefixes = options.streamPrefixes?.length ? [...options.streamPrefixes] : undefined;
    const subscription = new SqliteAllSubscription(
      { readPage: (after, limit, streamPrefixes) => this.pageTransaction(after, limit, streamPrefixes) },
      this.signal,
      options.from,
      prefixes,
      { pageSize: this.pageSize, pollIntervalMs: this.pollIntervalMs },
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | null> {
    this.assertOpen();
    const head = this.selectHead.get()?.position ?? null;
    return head === null ? null : BigInt(head);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  private appendInTransaction(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult & { written: boolean } {
    const tail = this.selectTail.get(streamId);
    const current = tail?.revision ?? -1;
    if (tail && this.repeatsLastAppend(streamId, tail, events, expected)) {
      return { nextExpectedRevision: current, position: BigInt(tail.position), written: false };
    }
    if (!satisfies(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);
    if (events.length === 0) {
      return { nextExpectedRevision: current, position: BigInt(tail?.position ?? 0), written: false };
    }
    const createdAt = this.clock.now().getTime();
    let revision = current;
    let position: number | bigint = 0;
    for (const event of events) {
      revision += 1;
      position = this.insert.run(
        streamId,
        revision,
        event.id ?? randomUUID(),
        event.type,
        JSON.stringify(event.data) ?? 'null',
        event.metadata === undefined ? null : JSON.stringify(event.metadata),
        createdAt,
      ).lastInsertRowid;
    }
    return { nextExpectedRevision: revision, position: BigInt(position), written: true };
  }

  /**
   * EventStoreDB-style idempotence: a retry of the stream's last append (same ids, same order,
   * and an expectation that held before that append) answers the original result. Only the
   * last append is remembered, which is what a retry after a lost reply needs.
   */
  private repeatsLastAppend(
    streamId: string,
    tail: StreamTail,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): boolean {
    const count = events.length;
    if (count === 0 || count > tail.revision + 1) return false;
    if (events[count - 1].id !== tail.id || events.some((event) => event.id === undefined)) return false;
    if (!satisfies(expected, tail.revision - count)) return false;
    if (count === 1) return true;
    const ids = this.selectTailIds.all(streamId, count);
    return ids.every((row, index) => row.id === events[count - 1 - index].id);
  }

  private readPageInTransaction(after: bigint, limit: number, prefixes: string[] | undefined): AllPage {
    const rows = prefixes
      ? this.prefixedStatement(prefixes.length).all(
          after,
          ...prefixes.flatMap((prefix) => [prefix, prefix]),
          limit,
        )
      : this.selectAllAfter.all(after, limit);
    const events = rows.map(toStoredEvent);
    if (rows.length === limit) return { events, scannedTo: events[events.length - 1].position };
    const head = this.selectHead.get()?.position ?? null;
    return { events, scannedTo: head === null ? after : BigInt(head) };
  }

  private prefixedStatement(count: number): Statement<unknown[], EventRow> {
    let statement = this.selectPrefixedAfter.get(count);
    if (!statement) {
      // length() and substr() both count characters, so any Unicode prefix compares correctly.
      const match = Array.from({ length: count }, () => 'substr(stream_id, 1, length(?)) = ?').join(' OR ');
      statement = this.db.prepare<unknown[], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > ? AND (${match})
         ORDER BY position ASC LIMIT ?`,
      );
      this.selectPrefixedAfter.set(count, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteEventStore is closed');
  }
}

function satisfies(expected: ExpectedRevision, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    default:
      return current === expected;
  }
}
