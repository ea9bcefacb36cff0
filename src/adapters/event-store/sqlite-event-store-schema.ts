import type { SqliteMigration } from '../sqlite/migrations';

export const EVENT_STORE_COMPONENT = 'event-store';

/**
 * One table: the rowid alias `position` is the global order ($all). AUTOINCREMENT keeps positions
 * strictly increasing and never reused; SQLite serialises writers, so commit order equals position
 * order and a tailing reader can never skip a position that commits late.
 */
export const eventStoreMigrations: SqliteMigration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE es_events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX es_events_stream_revision ON es_events (stream_id, revision);
    `,
  },
];
