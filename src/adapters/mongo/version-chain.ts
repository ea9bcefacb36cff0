import type { Collection, Document, Filter } from 'mongodb';
import { isDuplicateKeyError } from './duplicate-key';
import type { IndexPlan } from './indexes';

/** One version of a keyed state; `_id` is `${key}#${version}`, so a version can exist only once. */
export interface ChainLink<S> {
  _id: string;
  key: string;
  version: number;
  /** Writer's wall clock; old versions are deleted only well after they were superseded. */
  writtenAt: Date;
  state: S;
}

export interface Versioned<S> {
  version: number;
  state: S;
}

/**
 * Compare-and-set that is atomic on FerretDB as well as MongoDB. FerretDB 1.24 evaluates an
 * update's filter and writes the document in two steps, so two conditional updates on one
 * document (`{_id, version: v}` → `$set version v+1`) can both succeed; measured: up to 30 of 40
 * racers "won". A unique `_id` insert is atomic on both. So each change inserts the next version
 * of the key as a new document: of the racers that read version v, exactly one inserts v+1, the
 * others get a duplicate key, re-read and decide again. Readers only ever use the newest version.
 *
 * Superseded versions are deleted, but only `retainMs` after they were written: deleting version v
 * at once would let a slow writer that read v-1 insert a second "v" after all, on top of a chain
 * that has moved on (measured: caps exceeded). The assumption is that no writer takes longer than
 * `retainMs` between its read and its insert.
 */
export class VersionChain<S extends Document> {
  constructor(
    private readonly collection: Collection<ChainLink<S>>,
    private readonly retainMs = 60_000,
    /**
     * Optional: the newest link of every key, kept up to date after each append, so `latestOfAll`
     * reads one document per key instead of every version of the retention window. Best effort
     * (two writers may land out of order until the key's next append): only for snapshots that
     * the chain itself re-checks, never for deciding an append.
     */
    private readonly heads?: Collection<ChainLink<S>>,
  ) {}

  static indexes(): IndexPlan[] {
    return [{ key: { key: 1, version: -1 } }];
  }

  async latest(key: string): Promise<Versioned<S> | null> {
    const [link] = await this.collection
      .find({ key } as Filter<ChainLink<S>>, { sort: { version: -1 }, limit: 1 })
      .toArray();
    return link ? { version: link.version, state: link.state as S } : null;
  }

  /** A key with a link (newest first: its head) matching `filter`. */
  async findKey(filter: Filter<ChainLink<S>>): Promise<string | undefined> {
    const head = await this.heads?.findOne(filter, { projection: { key: 1 } });
    if (head) return head.key;
    const link = await this.collection.findOne(filter, { projection: { key: 1 } });
    return link?.key;
  }

  /** Newest state of every key (or of the keys whose links match `filter`). */
  async latestOfAll(filter: Filter<ChainLink<S>> = {}): Promise<Map<string, Versioned<S>>> {
    if (this.heads) {
      const newest = new Map<string, Versioned<S>>();
      for (const head of await this.heads.find(filter).toArray()) {
        newest.set(head.key, { version: head.version, state: head.state as S });
      }
      return newest;
    }
    const keys =
      Object.keys(filter).length === 0
        ? null
        : new Set(
            (await this.collection.find(filter, { projection: { key: 1 } }).toArray()).map(
              (link) => link.key,
            ),
          );
    const query = (keys ? { key: { $in: [...keys] } } : {}) as Filter<ChainLink<S>>;
    const newest = new Map<string, Versioned<S>>();
    for (const link of await this.collection.find(query).toArray()) {
      const known = newest.get(link.key);
      if (!known || known.version < link.version) {
        newest.set(link.key, { version: link.version, state: link.state as S });
      }
    }
    return newest;
  }

  /**
   * Writes `state` as the version after `readVersion` (0 when the key had none). False when another
   * writer got there first: read again and decide again.
   */
  async tryAppend(key: string, readVersion: number, state: S): Promise<boolean> {
    const version = readVersion + 1;
    const link = { _id: `${key}#${version}`, key, version, writtenAt: new Date(), state };
    try {
      await this.collection.insertOne(link as ChainLink<S>);
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    if (this.heads) {
      try {
        await this.heads.updateOne(
          { _id: key, version: { $lt: version } } as Filter<ChainLink<S>>,
          { $set: { key, version, writtenAt: link.writtenAt, state } } as never,
          { upsert: true },
        );
      } catch (error) {
        // A newer head is already there (the upsert collided with it): nothing to do.
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    const superseded = { $lt: new Date(Date.now() - this.retainMs) };
    await this.collection.deleteMany({ key, version: { $lt: version }, writtenAt: superseded } as Filter<
      ChainLink<S>
    >);
    return true;
  }
}
