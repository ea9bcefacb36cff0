import type { Statement } from 'better-sqlite3';
import {
  type AccountQuery,
  type AccountView,
  type GenerationKind,
  type GenerationRecordView,
  type GenerationStatusCode,
  type Page,
  type PositionedWrites,
  type ProjectionWrite,
  type ReadModelStore,
  type RecordQuery,
} from '../../ports/read-models';
import { applyMigrations } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { checkedAccount, checkedRecord, isAfter } from './checked-write';
import {
  accountCriteria,
  offsetOf,
  pageOf,
  recordCriteria,
  requiredKind,
  requiredText,
  sortKeys,
  type ListCriteria,
} from './page-query';
import { READ_MODEL_COMPONENT, readModelMigrations } from './sqlite-read-model-schema';
import { emptyStatusCounts, isGenerationStatusCode } from './status-counts';

const ACCOUNT_COLUMNS: Record<string, string> = {
  id: 'id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  imageCount: 'image_count',
  videoCount: 'video_count',
  priority: 'priority',
};

const RECORD_COLUMNS: Record<string, string> = {
  id: 'id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  generationStatus: 'generation_status',
};

/** Columns of the fields a list filters by (see page-query's criteria). */
const FILTER_COLUMNS: Record<string, string> = {
  createBy: 'create_by',
  accountStatus: 'account_status',
  siteType: 'site_type',
  workId: 'work_id',
  projectId: 'project_id',
  generationStatus: 'generation_status',
};

type SqlValue = string | number;

interface Where {
  clauses: string[];
  values: SqlValue[];
}

/**
 * The embedded read models: `rm_` tables in the embedded profile's shared SQLite file. The
 * Database belongs to the caller, so close() leaves it open.
 *
 * `apply` runs the writes of one event in one IMMEDIATE transaction: the guard (document position
 * before the event's) and the write hold the write lock together, also against another process.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly selectAccount: Statement<[string], { doc: string }>;
  private readonly upsertAccount: Statement<unknown[]>;
  private readonly selectRecord: Statement<[string, string], { doc: string }>;
  private readonly upsertRecord: Statement<unknown[]>;
  private readonly selectPool: Statement<[], { doc: string }>;
  private readonly selectStatusCounts: Statement<[string], { status: number; n: number }>;
  private readonly selectCheckpoint: Statement<[string], { position: string }>;
  private readonly upsertCheckpoint: Statement<[string, string]>;
  private readonly listStatements = new Map<string, Statement<SqlValue[], { doc: string }>>();
  private readonly countStatements = new Map<string, Statement<SqlValue[], { n: number }>>();
  private readonly applyTransaction: (batch: readonly PositionedWrites[]) => void;
  private readonly resetTransaction: () => void;
  private readonly snapshot: <T>(read: () => T) => T;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, READ_MODEL_COMPONENT, readModelMigrations);
    this.selectAccount = db.prepare('SELECT doc FROM rm_accounts WHERE id = ?');
    this.upsertAccount = db.prepare(
      `INSERT INTO rm_accounts (id, doc, create_by, account_status, site_type, is_deleted, created_at,
         updated_at, image_count, video_count, priority)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, create_by = excluded.create_by,
         account_status = excluded.account_status, site_type = excluded.site_type,
         is_deleted = excluded.is_deleted, created_at = excluded.created_at,
         updated_at = excluded.updated_at, image_count = excluded.image_count,
         video_count = excluded.video_count, priority = excluded.priority`,
    );
    this.selectRecord = db.prepare('SELECT doc FROM rm_records WHERE kind = ? AND id = ?');
    this.upsertRecord = db.prepare(
      `INSERT INTO rm_records (kind, id, doc, create_by, work_id, project_id, storyboard_id,
         generation_status, is_deleted, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, create_by = excluded.create_by,
         work_id = excluded.work_id, project_id = excluded.project_id,
         storyboard_id = excluded.storyboard_id, generation_status = excluded.generation_status,
         is_deleted = excluded.is_deleted, created_at = excluded.created_at,
         updated_at = excluded.updated_at`,
    );
    this.selectPool = db.prepare('SELECT doc FROM rm_accounts WHERE is_deleted = 0 ORDER BY id');
    this.selectStatusCounts = db.prepare(
      `SELECT generation_status AS status, count(*) AS n FROM rm_records
       WHERE kind = ? AND is_deleted = 0 GROUP BY generation_status`,
    );
    this.selectCheckpoint = db.prepare('SELECT position FROM rm_checkpoints WHERE projector = ?');
    this.upsertCheckpoint = db.prepare(
      `INSERT INTO rm_checkpoints (projector, position) VALUES (?, ?)
       ON CONFLICT (projector) DO UPDATE SET position = excluded.position`,
    );
    const apply = db.transaction((batch: readonly PositionedWrites[]) => {
      for (const { position, writes } of batch) for (const write of writes) this.applyOne(position, write);
    });
    this.applyTransaction = (batch) => apply.immediate(batch);
    const reset = db.transaction(() => {
      db.exec('DELETE FROM rm_accounts; DELETE FROM rm_records; DELETE FROM rm_checkpoints;');
    });
    this.resetTransaction = () => reset.immediate();
    // A page's total and list come from one snapshot, so they agree while projectors write.
    const snapshot = db.transaction((read: () => unknown) => read());
    this.snapshot = <T>(read: () => T) => snapshot.deferred(read) as T;
  }

  async apply(position: bigint, writes: ProjectionWrite[]): Promise<void> {
    this.applyTransaction([{ position, writes }]);
  }

  /** One transaction for the whole batch: what a catching-up projector spends its time on. */
  async applyMany(batch: readonly PositionedWrites[]): Promise<void> {
    if (batch.length > 0) this.applyTransaction(batch);
  }

  async getAccount(id: string): Promise<AccountView | null> {
    const row = this.selectAccount.get(requiredText('id', id));
    return row ? (JSON.parse(row.doc) as AccountView) : null;
  }

  async listAccounts(query: AccountQuery): Promise<Page<AccountView>> {
    return this.page<AccountView>('rm_accounts', whereOf(accountCriteria(query)), query, ACCOUNT_COLUMNS);
  }

  async listPool(): Promise<AccountView[]> {
    return this.selectPool.all().map((row) => JSON.parse(row.doc) as AccountView);
  }

  async getRecord(kind: GenerationKind, id: string): Promise<GenerationRecordView | null> {
    const row = this.selectRecord.get(requiredKind(kind), requiredText('id', id));
    return row ? (JSON.parse(row.doc) as GenerationRecordView) : null;
  }

  async listRecords(query: RecordQuery): Promise<Page<GenerationRecordView>> {
    const criteria = recordCriteria(query);
    const where = whereOf(criteria, { clauses: ['kind = ?'], values: [criteria.kind] });
    return this.page<GenerationRecordView>('rm_records', where, query, RECORD_COLUMNS);
  }

  async countByStatus(kind: GenerationKind): Promise<Record<GenerationStatusCode, number>> {
    const counts = emptyStatusCounts();
    for (const { status, n } of this.selectStatusCounts.all(requiredKind(kind))) {
      if (isGenerationStatusCode(status)) counts[status] = n;
    }
    return counts;
  }

  async getCheckpoint(projector: string): Promise<bigint | null> {
    const row = this.selectCheckpoint.get(requiredText('projector', projector));
    return row ? BigInt(row.position) : null;
  }

  async saveCheckpoint(projector: string, position: bigint): Promise<void> {
    this.upsertCheckpoint.run(requiredText('projector', projector), position.toString());
  }

  async reset(): Promise<void> {
    this.resetTransaction();
  }

  async close(): Promise<void> {
    // The Database is shared with the other embedded adapters; its owner closes it.
  }

  private applyOne(position: bigint, write: ProjectionWrite): void {
    if (write.account) {
      const { id, update } = write.account;
      const row = this.selectAccount.get(id);
      const current = row ? (JSON.parse(row.doc) as AccountView) : null;
      if (!isAfter(position, current)) return;
      const next = update(current);
      if (next) {
        const doc = checkedAccount(id, next, position);
        this.upsertAccount.run(
          doc.id,
          JSON.stringify(doc),
          doc.createBy,
          doc.accountStatus,
          doc.siteType,
          doc.isDeleted ? 1 : 0,
          doc.createdAt,
          doc.updatedAt,
          doc.imageCount,
          doc.videoCount,
          doc.priority,
        );
      }
    }
    if (write.record) {
      const { kind, id, update } = write.record;
      const row = this.selectRecord.get(kind, id);
      const current = row ? (JSON.parse(row.doc) as GenerationRecordView) : null;
      if (!isAfter(position, current)) return;
      const next = update(current);
      if (next) {
        const doc = checkedRecord(kind, id, next, position);
        this.upsertRecord.run(
          doc.kind,
          doc.id,
          JSON.stringify(doc),
          doc.createBy,
          doc.workId,
          doc.projectId,
          doc.storyboardId,
          doc.generationStatus,
          doc.isDeleted ? 1 : 0,
          doc.createdAt,
          doc.updatedAt,
        );
      }
    }
  }

  private page<T>(
    table: string,
    where: Where,
    query: AccountQuery | RecordQuery,
    columns: Record<string, string>,
  ): Page<T> {
    const condition = where.clauses.length > 0 ? `WHERE ${where.clauses.join(' AND ')}` : '';
    const direction = query.sortOrder === 'desc' ? 'DESC' : 'ASC';
    const order = sortKeys(query.sortBy)
      .map((key) => `${columns[key]} ${direction}`)
      .join(', ');
    const countSql = `SELECT count(*) AS n FROM ${table} ${condition}`;
    const listSql = `SELECT doc FROM ${table} ${condition} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const count = cached(this.countStatements, countSql, this.db);
    const select = cached(this.listStatements, listSql, this.db);
    const offset = offsetOf(query);
    return this.snapshot(() => {
      const total = count.get(...where.values)?.n ?? 0;
      const rows = offset < total ? select.all(...where.values, query.pageSize, offset) : [];
      return pageOf(
        rows.map((row) => JSON.parse(row.doc) as T),
        total,
        query,
      );
    });
  }
}

function whereOf({ equal, includeDeleted }: ListCriteria, where: Where = { clauses: [], values: [] }): Where {
  for (const [field, value] of equal) {
    where.clauses.push(`${FILTER_COLUMNS[field]} = ?`);
    where.values.push(value);
  }
  if (!includeDeleted) where.clauses.push('is_deleted = 0');
  return where;
}

function cached<R>(
  statements: Map<string, Statement<SqlValue[], R>>,
  sql: string,
  db: SqliteDatabase,
): Statement<SqlValue[], R> {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare<SqlValue[], R>(sql);
    statements.set(sql, statement);
  }
  return statement;
}
