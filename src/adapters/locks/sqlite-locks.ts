import type { Statement } from 'better-sqlite3';
import type { Locks } from '../../ports/locks';
import { applyMigrations } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { checkLockArguments } from './lock-arguments';

/**
 * The embedded named locks: one `lock_locks` table in the shared SQLite file. Acquiring is a single
 * conditional upsert (take a free or expired lock, or renew one's own), atomic on its own.
 */
export class SqliteLocks implements Locks {
  private readonly take: Statement<[string, string, number, number]>;
  private readonly drop: Statement<[string, string]>;

  constructor(db: SqliteDatabase) {
    applyMigrations(db, 'locks', [
      {
        version: 1,
        up: `CREATE TABLE lock_locks (
          name TEXT PRIMARY KEY,
          owner TEXT NOT NULL,
          expires_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
      },
    ]);
    this.take = db.prepare(
      `INSERT INTO lock_locks (name, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE lock_locks.owner = excluded.owner OR lock_locks.expires_at <= ?`,
    );
    this.drop = db.prepare('DELETE FROM lock_locks WHERE name = ? AND owner = ?');
  }

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    checkLockArguments(name, owner, ttlMs);
    return this.take.run(name, owner, now.getTime() + ttlMs, now.getTime()).changes === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    this.drop.run(name, owner);
  }
}
