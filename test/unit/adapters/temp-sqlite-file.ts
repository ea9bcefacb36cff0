import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/open-database';

/** A fresh directory holding one SQLite file (plus its -wal and -shm), removed by `remove()`. */
export function tempSqliteFile(label: string): { file: string; remove(): void } {
  const directory = mkdtempSync(join(tmpdir(), `jimeng-${label}-`));
  return {
    file: join(directory, 'embedded.sqlite'),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

export interface TempSqliteDatabase {
  /** The first connection, opened at once. */
  db: SqliteDatabase;
  /** Another connection to the same file, as a second process would have. */
  connect(): SqliteDatabase;
  /** Closes every connection opened here, then deletes the file. */
  remove(): void;
}

/** A database on a fresh temp file, for the adapters' contract suites. */
export function tempSqliteDatabase(label: string): TempSqliteDatabase {
  const temp = tempSqliteFile(label);
  const connections: SqliteDatabase[] = [];
  const connect = (): SqliteDatabase => {
    const db = openSqliteDatabase(temp.file);
    connections.push(db);
    return db;
  };
  return {
    db: connect(),
    connect,
    remove() {
      for (const db of connections) db.close();
      temp.remove();
    },
  };
}
