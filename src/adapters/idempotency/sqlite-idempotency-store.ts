import type { Statement } from 'better-sqlite3';
import type { IdempotencyStore, StoredResponse } from '../../ports/idempotency-store';
import { applyMigrations } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { DEFAULT_RESERVATION_TTL_MS, type IdempotencyStoreOptions } from './reservation';

interface ResponseRow {
  key: string;
  request_hash: string;
  state: 'in_progress' | 'stored';
  status: number | null;
  body: string | null;
  created_at: number;
}

/**
 * The embedded idempotency store: one `idem_responses` table in the shared SQLite file. `begin`
 * reserves with a single conditional insert inside an IMMEDIATE transaction, so two requests with
 * one key never both get 'new'.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly reservationTtlMs: number;
  private readonly reserve: Statement<[string, string, number, number]>;
  private readonly select: Statement<[string], ResponseRow>;
  private readonly store: Statement<[string, string, number, string, number]>;
  private readonly deleteReservation: Statement<[string]>;
  private readonly beginTransaction: (
    key: string,
    requestHash: string,
    now: number,
  ) => StoredResponse | 'in_progress' | 'new';

  constructor(db: SqliteDatabase, options: IdempotencyStoreOptions = {}) {
    this.reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    applyMigrations(db, 'idempotency', [
      {
        version: 1,
        up: `CREATE TABLE idem_responses (
          key TEXT PRIMARY KEY,
          request_hash TEXT NOT NULL,
          state TEXT NOT NULL,
          status INTEGER,
          body TEXT,
          created_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
      },
    ]);
    // Inserts a reservation, or takes over one abandoned longer than the TTL; no change otherwise.
    this.reserve = db.prepare(
      `INSERT INTO idem_responses (key, request_hash, state, created_at) VALUES (?, ?, 'in_progress', ?)
       ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, created_at = excluded.created_at
       WHERE idem_responses.state = 'in_progress' AND idem_responses.created_at <= ?`,
    );
    this.select = db.prepare('SELECT * FROM idem_responses WHERE key = ?');
    this.store = db.prepare(
      `INSERT INTO idem_responses (key, request_hash, state, status, body, created_at)
       VALUES (?, ?, 'stored', ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, state = 'stored',
         status = excluded.status, body = excluded.body, created_at = excluded.created_at`,
    );
    this.deleteReservation = db.prepare("DELETE FROM idem_responses WHERE key = ? AND state = 'in_progress'");
    const begin = db.transaction((key: string, requestHash: string, now: number) => {
      if (this.reserve.run(key, requestHash, now, now - this.reservationTtlMs).changes === 1) return 'new';
      const row = this.select.get(key);
      return row ? toAnswer(row) : 'in_progress';
    });
    this.beginTransaction = (key, requestHash, now) => begin.immediate(key, requestHash, now);
  }

  async begin(key: string, requestHash: string, now: Date): Promise<StoredResponse | 'in_progress' | 'new'> {
    return this.beginTransaction(text('key', key), text('requestHash', requestHash), now.getTime());
  }

  async complete(response: StoredResponse): Promise<void> {
    this.store.run(
      text('key', response.key),
      response.requestHash,
      response.status,
      response.body,
      response.createdAt.getTime(),
    );
  }

  async abandon(key: string): Promise<void> {
    this.deleteReservation.run(text('key', key));
  }
}

function toAnswer(row: ResponseRow): StoredResponse | 'in_progress' {
  if (row.state !== 'stored' || row.status === null || row.body === null) return 'in_progress';
  return {
    key: row.key,
    requestHash: row.request_hash,
    status: row.status,
    body: row.body,
    createdAt: new Date(row.created_at),
  };
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}
