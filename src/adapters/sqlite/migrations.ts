import type { SqliteDatabase } from './open-database';

export interface SqliteMigration {
  /** Strictly increasing within a component, starting at 1. */
  version: number;
  up: string | ((db: SqliteDatabase) => void);
}

/**
 * Applies a component's pending migrations in one immediate transaction, so two processes opening
 * the same file cannot apply a migration twice. Each adapter names its own component (and prefixes
 * its tables) because the whole embedded profile shares one file.
 */
export function applyMigrations(db: SqliteDatabase, component: string, migrations: SqliteMigration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((migration, index) => {
    if (index > 0 && migration.version === sorted[index - 1].version) {
      throw new Error(`migration ${component} v${migration.version} is defined twice`);
    }
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, version)
  ) WITHOUT ROWID`);
  const applied = db.prepare<[string], { version: number }>(
    'SELECT max(version) AS version FROM schema_migrations WHERE component = ?',
  );
  const record = db.prepare(
    'INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)',
  );
  db.transaction(() => {
    const current = applied.get(component)?.version ?? 0;
    for (const migration of sorted) {
      if (migration.version <= current) continue;
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      record.run(component, migration.version, Date.now());
    }
  }).immediate();
}
