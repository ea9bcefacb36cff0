import type { Collection, Db } from 'mongodb';
import type { Locks } from '../../ports/locks';
import { isDuplicateKeyError } from '../mongo/duplicate-key';
import { checkLockArguments } from './lock-arguments';

export const LOCKS_COLLECTION = 'locks';

interface LockDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

/**
 * The production named locks: one document per lock. Acquiring updates the document only if the
 * caller owns it or it has expired; when neither holds, the upsert tries to insert a second
 * document with the same `_id`, and the duplicate key says another owner holds the lock.
 */
export class MongoLocks implements Locks {
  private readonly collection: Collection<LockDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LockDocument>(LOCKS_COLLECTION);
  }

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    checkLockArguments(name, owner, ttlMs);
    try {
      await this.collection.updateOne(
        { _id: name, $or: [{ owner }, { expiresAt: { $lte: now } }] },
        { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async release(name: string, owner: string): Promise<void> {
    checkLockArguments(name, owner, 1);
    await this.collection.deleteOne({ _id: name, owner });
  }
}
