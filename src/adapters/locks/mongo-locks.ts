import type { Db } from 'mongodb';
import type { Locks } from '../../ports/locks';
import { ensureIndexes } from '../mongo/indexes';
import { HeadedVersionChain, type ChainLink } from '../mongo/version-chain';
import { checkLockArguments } from './lock-arguments';

export const LOCKS_COLLECTION = 'locks';
/** The newest state of each lock, where a change starts looking for the newest version. */
export const LOCK_HEADS_COLLECTION = 'lock_heads';

/** `owner` null: released. */
interface LockState {
  owner: string | null;
  expiresAt: Date;
}

/** Lost races before acquire gives up and reports the lock as held by another. */
const MAX_ATTEMPTS = 20;

/**
 * The production named locks. A conditional update (`{_id, $or: [{owner}, {expired}]}` with
 * upsert) would be enough on MongoDB, but FerretDB evaluates the filter and writes in two steps, so
 * two nodes taking over an expired lock at once could both succeed. Each change therefore appends
 * the lock's next version, which only one racer can do (see HeadedVersionChain): atomic on both.
 */
export class MongoLocks implements Locks {
  private readonly chain: HeadedVersionChain<LockState>;

  constructor(private readonly db: Db) {
    this.chain = new HeadedVersionChain(
      db.collection<ChainLink<LockState>>(LOCKS_COLLECTION),
      db.collection<ChainLink<LockState>>(LOCK_HEADS_COLLECTION),
    );
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.db.collection(LOCKS_COLLECTION), HeadedVersionChain.indexes());
  }

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    checkLockArguments(name, owner, ttlMs);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await this.chain.latest(name);
      const holder = current?.state.owner ?? null;
      if (holder !== null && holder !== owner && current!.state.expiresAt.getTime() > now.getTime())
        return false;
      const next = { owner, expiresAt: new Date(now.getTime() + ttlMs) };
      if (await this.chain.tryAppend(name, current?.version ?? 0, next)) return true;
    }
    return false;
  }

  async release(name: string, owner: string): Promise<void> {
    checkLockArguments(name, owner, 1);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await this.chain.latest(name);
      if (!current || current.state.owner !== owner) return;
      if (await this.chain.tryAppend(name, current.version, { owner: null, expiresAt: new Date(0) })) return;
    }
  }
}
