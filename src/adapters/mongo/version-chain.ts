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

export interface HeadedVersionChainOptions {
  /** Superseded versions are kept this long after they were written. Default 60 000. */
  retainMs?: number;
  /** How often (at most) this instance deletes superseded versions. Default 10 000. */
  sweepIntervalMs?: number;
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
 *
 * Every hot-path query is on `_id` alone. FerretDB's SQLite backend pushes down nothing but an
 * `_id` equality: a `{key}` query sorted by version and a `{key, version, writtenAt}` delete each
 * decoded every version of the retention window, and with a claim, a renewal and a release per
 * generation they cost hundreds of ms each under load (measured in the production e2e) and kept
 * FerretDB's CPU saturated.
 *
 * The newest version is found from a hint (the newest version this instance saw, else the key's
 * head document) by reading that link and the ones after it by `_id` until one is missing. A link
 * is deleted only when a newer link of its key exists and it is `retainMs` old (by a periodic
 * sweep), so a missing next link proves the one before it is the newest as long as that one is
 * younger than half the retention (clocks within that much of each other); otherwise, and when the
 * hint's own link is gone, the chain asks the slow way.
 */
export class HeadedVersionChain<S extends Document> {
  private readonly retainMs: number;
  private readonly sweepIntervalMs: number;
  /**
   * The newest link this instance saw of each key (its state too when it read or wrote it): only a
   * starting point, never trusted without looking for the next link.
   */
  private readonly seen = new Map<string, Seen<S>>();
  private lastSweepAt = Date.now();
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly links: Collection<ChainLink<S>>,
    /**
     * The newest link of every key (`_id` = key), kept up to date after each append: a starting
     * point for `latest` and what `latestOfAll` reads. Best effort (two writers may land out of
     * order until the key's next append).
     */
    private readonly heads: Collection<ChainLink<S>>,
    options: HeadedVersionChainOptions = {},
  ) {
    this.retainMs = options.retainMs ?? 60_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
  }

  /** For the slow path, and for MongoDB. */
  static indexes(): IndexPlan[] {
    return [{ key: { key: 1, version: -1 } }];
  }

  async latest(key: string): Promise<Versioned<S> | null> {
    const seen = this.seen.get(key);
    const hint = seen?.version ?? (await this.heads.findOne(byId(key)))?.version;
    if (hint !== undefined) {
      // A link this instance wrote or read is not read again: if it was swept since, it is too old
      // to be taken for the newest, and the scan below answers.
      let newest = seen?.link ?? (await this.link(key, hint));
      if (newest !== null) {
        for (let next = await this.link(key, newest.version + 1); next !== null;) {
          newest = next;
          next = await this.link(key, newest.version + 1);
        }
        if (this.isRecent(newest)) return this.remember(key, newest);
      }
    }
    return this.scanLatest(key);
  }

  /** A key whose head matches `filter` (else one with any retained link matching it). */
  async findKey(filter: Filter<ChainLink<S>>): Promise<string | undefined> {
    const head = await this.heads.findOne(filter, { projection: { key: 1 } });
    if (head) return head.key;
    const link = await this.links.findOne(filter, { projection: { key: 1 } });
    return link?.key;
  }

  /** Newest state of every key (or of the keys whose heads match `filter`), from the heads. */
  async latestOfAll(filter: Filter<ChainLink<S>> = {}): Promise<Map<string, Versioned<S>>> {
    const newest = new Map<string, Versioned<S>>();
    for (const head of await this.heads.find(filter).toArray()) {
      newest.set(head.key, { version: head.version, state: head.state as S });
    }
    return newest;
  }

  /**
   * Writes `state` as the version after `readVersion` (0 when the key had none). False when another
   * writer got there first: read again and decide again.
   */
  async tryAppend(key: string, readVersion: number, state: S): Promise<boolean> {
    const version = readVersion + 1;
    const link: ChainLink<S> = { _id: linkId(key, version), key, version, writtenAt: new Date(), state };
    try {
      await this.links.insertOne({ ...link });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      this.note(key, { version });
      return false;
    }
    this.note(key, { version, link });
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
    this.sweepNowAndThen();
    return true;
  }

  /**
   * Deletes the links that are `retainMs` old and have a newer link of their key (the newest old
   * link of a key may be its newest of all, so it stays). Safe to run anywhere, any number of times.
   */
  async sweep(now = Date.now()): Promise<number> {
    const old = await this.links
      .find({ writtenAt: { $lt: new Date(now - this.retainMs) } } as Filter<ChainLink<S>>, {
        projection: { _id: 1, key: 1, version: 1 },
      })
      .toArray();
    const newestOld = new Map<string, number>();
    for (const { key, version } of old) newestOld.set(key, Math.max(version, newestOld.get(key) ?? 0));
    const superseded = old.filter(({ key, version }) => version < newestOld.get(key)!).map(({ _id }) => _id);
    for (let from = 0; from < superseded.length; from += 1000) {
      await this.links.deleteMany({ _id: { $in: superseded.slice(from, from + 1000) } } as Filter<
        ChainLink<S>
      >);
    }
    return superseded.length;
  }

  private sweepNowAndThen(): void {
    const now = Date.now();
    if (this.sweeping !== undefined || now - this.lastSweepAt < this.sweepIntervalMs) return;
    this.lastSweepAt = now;
    // Off the caller's path: a failed sweep only leaves old links for the next one.
    this.sweeping = this.sweep(now)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async link(key: string, version: number): Promise<ChainLink<S> | null> {
    return (await this.links.findOne(byId(linkId(key, version)))) as ChainLink<S> | null;
  }

  private async scanLatest(key: string): Promise<Versioned<S> | null> {
    const [link] = await this.links
      .find({ key } as Filter<ChainLink<S>>, { sort: { version: -1 }, limit: 1 })
      .toArray();
    return link ? this.remember(key, link) : null;
  }

  /** Younger than half the retention: a newer link cannot have been swept yet. */
  private isRecent(link: ChainLink<S>): boolean {
    return Date.now() - link.writtenAt.getTime() < this.retainMs / 2;
  }

  private remember(key: string, link: ChainLink<S>): Versioned<S> {
    this.note(key, { version: link.version, link });
    return { version: link.version, state: link.state as S };
  }

  private note(key: string, seen: Seen<S>): void {
    const known = this.seen.get(key);
    if (
      known === undefined ||
      known.version < seen.version ||
      (known.version === seen.version && !known.link)
    )
      this.seen.set(key, seen);
  }
}

interface Seen<S> {
  version: number;
  /** The link itself, when this instance wrote or read it. */
  link?: ChainLink<S>;
}

function linkId(key: string, version: number): string {
  return `${key}#${version}`;
}

function byId<T extends Document>(id: string): Filter<T> {
  return { _id: id } as Filter<T>;
}
