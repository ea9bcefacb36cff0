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

  /** Newest state of every key (or of the keys whose links match `filter`). */
  async latestOfAll(filter: Filter<ChainLink<S>> = {}): Promise<Map<string, Versioned<S>>> {
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
    try {
      const link = { _id: `${key}#${version}`, key, version, writtenAt: new Date(), state };
      await this.collection.insertOne(link as ChainLink<S>);
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    const superseded = { $lt: new Date(Date.now() - this.retainMs) };
    await this.collection.deleteMany({ key, version: { $lt: version }, writtenAt: superseded } as Filter<
      ChainLink<S>
    >);
    return true;
  }
}
