import type { SqliteMigration } from '../sqlite/migrations';

export const READ_MODEL_COMPONENT = 'read-models';

/**
 * Documents are stored whole as JSON; the columns beside them are copies of the fields the queries
 * filter and sort on. Every list index ends with the sort's tie-breakers (see `sortKeys`), so pages
 * are read in index order, and carries `is_deleted`, so the default "not deleted" filter and COUNT(*) are answered
 * from the index without reading documents.
 */
export const readModelMigrations: SqliteMigration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE rm_accounts (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        create_by TEXT NOT NULL,
        account_status INTEGER NOT NULL,
        site_type INTEGER NOT NULL,
        is_deleted INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        image_count INTEGER NOT NULL,
        video_count INTEGER NOT NULL,
        priority REAL NOT NULL
      );
      CREATE INDEX rm_accounts_by_creator ON rm_accounts (create_by, created_at, id, is_deleted);
      CREATE INDEX rm_accounts_by_created ON rm_accounts (created_at, id, is_deleted);

      CREATE TABLE rm_records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        create_by TEXT NOT NULL,
        work_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        storyboard_id TEXT NOT NULL,
        generation_status INTEGER NOT NULL,
        is_deleted INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX rm_records_by_creator_work
        ON rm_records (kind, create_by, work_id, created_at, id, is_deleted);
      CREATE INDEX rm_records_by_creator ON rm_records (kind, create_by, created_at, id, is_deleted);
      CREATE INDEX rm_records_by_storyboard ON rm_records (kind, project_id, storyboard_id);
      CREATE INDEX rm_records_by_created ON rm_records (kind, created_at, id, is_deleted);
      CREATE INDEX rm_records_by_updated ON rm_records (kind, updated_at, created_at, id, is_deleted);
      CREATE INDEX rm_records_by_status ON rm_records (kind, generation_status, created_at, id, is_deleted);

      CREATE TABLE rm_checkpoints (
        projector TEXT PRIMARY KEY,
        position TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
