import type { Collection, Db } from 'mongodb';
import type { IdempotencyStore, StoredResponse } from '../../ports/idempotency-store';
import { ContentionError } from '../mongo/bounded-retry';
import { isDuplicateKeyError } from '../mongo/duplicate-key';
import { DEFAULT_RESERVATION_TTL_MS, type IdempotencyStoreOptions } from './reservation';

export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';

interface IdempotencyDocument {
  _id: string;
  requestHash: string;
  state: 'in_progress' | 'stored';
  status?: number;
  body?: string;
  createdAt: Date;
}

/**
 * The production idempotency store: the key is the document's `_id`, so the insert that reserves
 * it is atomic on its own; a duplicate key means the key is known, and the stored document says
 * whether its answer is ready.
 */
export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly collection: Collection<IdempotencyDocument>;
  private readonly reservationTtlMs: number;

  constructor(db: Db, options: IdempotencyStoreOptions = {}) {
    this.collection = db.collection<IdempotencyDocument>(IDEMPOTENCY_COLLECTION);
    this.reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  async begin(key: string, requestHash: string, now: Date): Promise<StoredResponse | 'in_progress' | 'new'> {
    text('key', key);
    text('requestHash', requestHash);
    // Bounded: each round either reserves, reads a live entry, or saw the entry vanish (abandoned).
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        await this.collection.insertOne({ _id: key, requestHash, state: 'in_progress', createdAt: now });
        return 'new';
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const doc = await this.collection.findOne({ _id: key });
      if (doc === null) continue;
      if (doc.state === 'stored' && doc.status !== undefined && doc.body !== undefined) {
        return {
          key,
          requestHash: doc.requestHash,
          status: doc.status,
          body: doc.body,
          createdAt: doc.createdAt,
        };
      }
      if (doc.createdAt.getTime() > now.getTime() - this.reservationTtlMs) return 'in_progress';
      // Abandoned by a process that died: take it over, unless another request just did. Atomic on
      // MongoDB; FerretDB checks the filter and writes in two steps, so there two requests racing
      // for the same long-abandoned key could both get 'new' (fresh keys are safe on both: insert).
      const takeover = await this.collection.updateOne(
        { _id: key, state: 'in_progress', createdAt: doc.createdAt },
        { $set: { requestHash, createdAt: now } },
      );
      return takeover.matchedCount === 1 ? 'new' : 'in_progress';
    }
    throw new ContentionError(`idempotency key ${key}: reservation keeps vanishing`);
  }

  async complete(response: StoredResponse): Promise<void> {
    await this.collection.updateOne(
      { _id: text('key', response.key) },
      {
        $set: {
          requestHash: response.requestHash,
          state: 'stored',
          status: response.status,
          body: response.body,
          createdAt: response.createdAt,
        },
      },
      { upsert: true },
    );
  }

  async abandon(key: string): Promise<void> {
    await this.collection.deleteOne({ _id: text('key', key), state: 'in_progress' });
  }
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}
