import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the embedded profile's single SQLite file, shared by every embedded
 * adapter.
 *
 * Durability trade-off: WAL with synchronous=NORMAL fsyncs only at checkpoints, not on every
 * commit. A process crash loses nothing that was committed (the WAL is in the OS page cache); a
 * power loss or kernel panic may lose the last few transactions, but never corrupts the file.
 * That buys an order of magnitude more small transactions per second, which the intake path needs.
 */
export function openSqliteDatabase(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
