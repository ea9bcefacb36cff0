import type { Collection, Db, Document, Filter, Sort } from 'mongodb';
import {
  type AccountQuery,
  type AccountView,
  type GenerationKind,
  type GenerationRecordView,
  type GenerationStatusCode,
  type Page,
  type PageRequest,
  type PositionedWrites,
  type ProjectionWrite,
  type ReadModelStore,
  type RecordQuery,
} from '../../ports/read-models';
import { ContentionError, pauseBeforeRetry } from '../mongo/bounded-retry';
import { isDuplicateKeyError } from '../mongo/duplicate-key';
import { ensureIndexes, type IndexPlan } from '../mongo/indexes';
import { positionFromKey, positionKey } from '../mongo/position-key';
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
import { emptyStatusCounts, isGenerationStatusCode } from './status-counts';

export const READ_MODEL_COLLECTIONS = {
  accounts: 'jimeng_accounts',
  image: 'jimeng_image_generation_records',
  video: 'jimeng_video_generation_records',
  checkpoints: 'projection_checkpoints',
} as const;

const RECORD_INDEXES: IndexPlan[] = [
  { key: { createBy: 1, createdAt: 1, _id: 1 } },
  { key: { createBy: 1, workId: 1, createdAt: 1, _id: 1 } },
  { key: { projectId: 1, storyboardId: 1 } },
  { key: { createdAt: 1, _id: 1 } },
  { key: { updatedAt: 1, createdAt: 1, _id: 1 } },
  { key: { generationStatus: 1, createdAt: 1, _id: 1 } },
];

const ACCOUNT_INDEXES: IndexPlan[] = [
  { key: { createBy: 1, createdAt: 1, _id: 1 } },
  { key: { createdAt: 1, _id: 1 } },
];

/** Lost races on one document are retried this many times before giving up. */
const MAX_ATTEMPTS = 20;

/** BSON must not turn an absent optional field into null (the documents would differ from SQLite's). */
const WRITE_OPTIONS = { ignoreUndefined: true } as const;

/** Documents are keyed by the view's id, a string, not an ObjectId. */
interface StoredDocument extends Document {
  _id: string;
}

interface Versioned {
  id: string;
  position: string;
}

/** One event's update of a document, checked and stamped with the event's position. */
interface Step<V extends Versioned> {
  position: bigint;
  apply(current: V | null): V | null;
}

/**
 * Where a replace checks that the document is still the one read (see replaceGuard): in its filter
 * (atomic on MongoDB), or only by the read just before it (FerretDB).
 */
export type ReplaceGuard = 'filter' | 'read';

interface DocumentSteps {
  collection: Collection<StoredDocument>;
  id: string;
  steps: Step<Versioned>[];
}

/**
 * The production read models, one MongoDB collection per requirement table. Documents are stored
 * with `_id` = the view's id and `position` as a fixed-width key (see position-key.ts); reads give
 * back the port's view.
 *
 * Without transactions (FerretDB has none), `apply` guards each document by compare-and-set: read
 * it, compute the update, and replace it only if its position is still the one read; a lost race
 * re-reads, and then either finds the event already applied or applies it on top of the newer
 * state. A new document is inserted; a duplicate key means another writer created it first.
 *
 * On MongoDB the replace is atomic. FerretDB checks and writes in two steps (so it replaces by `_id`
 * right after the read, see replaceGuard), and two writers can both "win" from the same read; that
 * is harmless here because projectors apply a document's events in stream order: racers from one
 * state apply the same events and write the same document. (AccountLeases and Locks, where it is
 * not harmless, use HeadedVersionChain instead.)
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly accounts: Collection<StoredDocument>;
  private readonly records: Record<GenerationKind, Collection<StoredDocument>>;
  private readonly checkpoints: Collection<StoredDocument>;
  private guard: Promise<ReplaceGuard> | undefined;

  /** `replaceGuard` is found from the server unless given (the tests run both on FerretDB). */
  constructor(
    private readonly db: Db,
    options: { replaceGuard?: ReplaceGuard } = {},
  ) {
    if (options.replaceGuard) this.guard = Promise.resolve(options.replaceGuard);
    this.accounts = db.collection(READ_MODEL_COLLECTIONS.accounts);
    this.records = {
      image: db.collection(READ_MODEL_COLLECTIONS.image),
      video: db.collection(READ_MODEL_COLLECTIONS.video),
    };
    this.checkpoints = db.collection(READ_MODEL_COLLECTIONS.checkpoints);
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.accounts, ACCOUNT_INDEXES);
    await ensureIndexes(this.records.image, RECORD_INDEXES);
    await ensureIndexes(this.records.video, RECORD_INDEXES);
  }

  async apply(position: bigint, writes: ProjectionWrite[]): Promise<void> {
    await this.applyMany([{ position, writes }]);
  }

  /**
   * No multi-document transactions on FerretDB: each document is read once, the batch's updates of
   * it are applied in order in memory, and the result is written once (a projector catching up
   * writes a record once for its several events, not once per event). Documents are written in the
   * order of their first event.
   */
  async applyMany(batch: readonly PositionedWrites[]): Promise<void> {
    const documents = new Map<string, DocumentSteps>();
    const stepsOf = (collection: Collection<StoredDocument>, id: string): Step<Versioned>[] => {
      const name = `${collection.collectionName}\u0000${id}`;
      let document = documents.get(name);
      if (!document) documents.set(name, (document = { collection, id, steps: [] }));
      return document.steps;
    };
    for (const { position, writes } of batch) {
      for (const write of writes) {
        if (write.account) {
          const { id, update } = write.account;
          stepsOf(this.accounts, id).push({
            position,
            apply: (current) => {
              const next = update(current as AccountView | null);
              return next === null ? null : checkedAccount(id, next, position);
            },
          });
        }
        if (write.record) {
          const { kind, id, update } = write.record;
          stepsOf(this.records[kind], id).push({
            position,
            apply: (current) => {
              const next = update(current as GenerationRecordView | null);
              return next === null ? null : checkedRecord(kind, id, next, position);
            },
          });
        }
      }
    }
    for (const { collection, id, steps } of documents.values()) {
      await this.applyDocument(collection, id, steps);
    }
  }

  async getAccount(id: string): Promise<AccountView | null> {
    const stored = await this.accounts.findOne({ _id: requiredText('id', id) });
    return stored ? fromStored<AccountView>(stored) : null;
  }

  async listAccounts(query: AccountQuery): Promise<Page<AccountView>> {
    return this.page<AccountView>(this.accounts, filterOf(accountCriteria(query)), query);
  }

  async listPool(): Promise<AccountView[]> {
    const stored = await this.accounts.find({ isDeleted: false }, { sort: { _id: 1 } }).toArray();
    return stored.map((doc) => fromStored<AccountView>(doc));
  }

  async getRecord(kind: GenerationKind, id: string): Promise<GenerationRecordView | null> {
    const stored = await this.records[requiredKind(kind)].findOne({
      _id: requiredText('id', id),
    });
    return stored ? fromStored<GenerationRecordView>(stored) : null;
  }

  async listRecords(query: RecordQuery): Promise<Page<GenerationRecordView>> {
    const criteria = recordCriteria(query);
    return this.page<GenerationRecordView>(this.records[criteria.kind], filterOf(criteria), query);
  }

  async countByStatus(kind: GenerationKind): Promise<Record<GenerationStatusCode, number>> {
    const groups = await this.records[requiredKind(kind)]
      .aggregate<{ _id: unknown; n: number }>([
        { $match: { isDeleted: false } },
        { $group: { _id: '$generationStatus', n: { $sum: 1 } } },
      ])
      .toArray();
    const counts = emptyStatusCounts();
    for (const group of groups) {
      if (isGenerationStatusCode(group._id)) counts[group._id] = group.n;
    }
    return counts;
  }

  async getCheckpoint(projector: string): Promise<bigint | null> {
    const stored = await this.checkpoints.findOne({
      _id: requiredText('projector', projector),
    });
    return stored ? positionFromKey(stored.position as string) : null;
  }

  async saveCheckpoint(projector: string, position: bigint): Promise<void> {
    await this.checkpoints.updateOne(
      { _id: requiredText('projector', projector) },
      { $set: { position: positionKey(position) } },
      { upsert: true },
    );
  }

  async reset(): Promise<void> {
    // deleteMany rather than drop: the indexes stay.
    await this.accounts.deleteMany({});
    await this.records.image.deleteMany({});
    await this.records.video.deleteMany({});
    await this.checkpoints.deleteMany({});
  }

  async close(): Promise<void> {
    // The Db's client belongs to the caller, which may share it with other adapters.
  }

  private async applyDocument(
    collection: Collection<StoredDocument>,
    id: string,
    steps: readonly Step<Versioned>[],
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await pauseBeforeRetry(attempt);
      const stored = await collection.findOne({ _id: id });
      let current = stored ? fromStored<Versioned>(stored) : null;
      let written: { view: Versioned; key: string } | null = null;
      for (const { position, apply } of steps) {
        // The idempotence guard, per event: a replay or a racer's work is skipped.
        if (!isAfter(position, current)) continue;
        const next = apply(current);
        if (next === null) continue;
        current = next;
        written = { view: next, key: positionKey(position) };
      }
      if (written === null) return;
      const doc = toStored(written.view, written.key);
      if (stored === null) {
        try {
          await collection.insertOne(doc, WRITE_OPTIONS);
          return;
        } catch (error) {
          if (isDuplicateKeyError(error)) continue;
          throw error;
        }
      }
      const { _id, ...replacement } = doc;
      const guarded = (await this.replaceGuard()) === 'filter';
      const result = await collection.replaceOne(
        guarded ? { _id, position: stored.position as string } : { _id },
        replacement,
        WRITE_OPTIONS,
      );
      if (result.matchedCount === 1) return;
    }
    throw new ContentionError(`${collection.collectionName} ${id}: gave up after ${MAX_ATTEMPTS} lost races`);
  }

  /**
   * MongoDB replaces atomically under an `{_id, position}` filter, through the `_id` index.
   * FerretDB runs any filter but a lone `_id` as a scan of the whole collection (about 90 ms per
   * write with 200 records under the e2e's load: the projector's bottleneck) and then writes in a
   * second step, so the position in the filter guards no better there than the check right after
   * this store's read: on FerretDB the replace is by `_id` alone.
   */
  private replaceGuard(): Promise<ReplaceGuard> {
    return (this.guard ??= this.db.command({ buildInfo: 1 }).then(
      (info) => ('ferretdbVersion' in info ? 'read' : 'filter'),
      () => {
        this.guard = undefined;
        return 'filter';
      },
    ));
  }

  private async page<V extends Versioned>(
    collection: Collection<StoredDocument>,
    filter: Filter<StoredDocument>,
    query: PageRequest,
  ): Promise<Page<V>> {
    const direction = query.sortOrder === 'desc' ? -1 : 1;
    const sort: Sort = sortKeys(query.sortBy).map((key): [string, 1 | -1] => [
      key === 'id' ? '_id' : key,
      direction,
    ]);
    const offset = offsetOf(query);
    const total = await collection.countDocuments(filter);
    const stored =
      offset < total
        ? await collection.find(filter, { sort, skip: offset, limit: query.pageSize }).toArray()
        : [];
    return pageOf(
      stored.map((doc) => fromStored<V>(doc)),
      total,
      query,
    );
  }
}

function filterOf({ equal, includeDeleted }: ListCriteria): Filter<StoredDocument> {
  const filter: Filter<StoredDocument> = Object.fromEntries(equal);
  if (!includeDeleted) filter.isDeleted = false;
  return filter;
}

function toStored(view: Versioned, key: string): StoredDocument {
  const { id, ...fields } = view;
  return { _id: id, ...fields, position: key };
}

function fromStored<V extends Versioned>(doc: StoredDocument): V {
  const { _id, position, ...fields } = doc;
  return { id: _id, ...fields, position: positionFromKey(position as string).toString() } as V;
}
