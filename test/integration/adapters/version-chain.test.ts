import type { Db } from 'mongodb';
import { HeadedVersionChain } from '../../../src/adapters/mongo/version-chain';
import type { ChainLink } from '../../../src/adapters/mongo/version-chain';
import { mongoTestDatabases } from './mongo-test-database';

interface Counter {
  n: number;
}

const databases = mongoTestDatabases('headed_chain');

afterAll(async () => {
  await databases.close();
});

describe('HeadedVersionChain (on the integration MongoDB/FerretDB)', () => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    ({ db, drop } = await databases.fresh());
  });

  afterEach(async () => {
    await drop();
  });

  const chainOf = (retainMs = 60_000) =>
    new HeadedVersionChain<Counter>(
      db.collection<ChainLink<Counter>>('links'),
      db.collection<ChainLink<Counter>>('heads'),
      { retainMs, sweepIntervalMs: 3_600_000 },
    );

  /** Reads the newest version and appends the next one; false when a racer got there first. */
  async function increment(chain: HeadedVersionChain<Counter>, key: string): Promise<boolean> {
    const current = await chain.latest(key);
    return chain.tryAppend(key, current?.version ?? 0, { n: (current?.state.n ?? 0) + 1 });
  }

  it('finds the newest version another instance appended after this one last looked', async () => {
    const mine = chainOf();
    const other = chainOf();
    await increment(mine, 'k');

    for (let i = 0; i < 3; i++) expect(await increment(other, 'k')).toBe(true);

    expect(await mine.latest('k')).toEqual({ version: 4, state: { n: 4 } });
  });

  it('refuses an append on top of a version that is no longer the newest', async () => {
    const mine = chainOf();
    const other = chainOf();
    const read = await mine.latest('k');
    await increment(other, 'k');

    expect(await mine.tryAppend('k', read?.version ?? 0, { n: 99 })).toBe(false);
    expect(await mine.latest('k')).toEqual({ version: 1, state: { n: 1 } });
  });

  it('sweeps old superseded versions and keeps the newest of each key', async () => {
    const chain = chainOf(1_000);
    for (let i = 0; i < 3; i++) await increment(chain, 'a');
    await increment(chain, 'b');

    // Given every link older than the retention
    const deleted = await chain.sweep(Date.now() + 5_000);

    expect(deleted).toBe(2);
    const left = await db.collection('links').find({}).sort({ _id: 1 }).toArray();
    expect(left.map((link) => link._id)).toEqual(['a#3', 'b#1']);
    expect(await chain.latest('a')).toEqual({ version: 3, state: { n: 3 } });
  });

  it('keeps versions younger than the retention', async () => {
    const chain = chainOf(60_000);
    for (let i = 0; i < 3; i++) await increment(chain, 'a');

    expect(await chain.sweep()).toBe(0);
    expect(await db.collection('links').countDocuments()).toBe(3);
  });

  it('still finds the newest version when the head and its link are gone', async () => {
    const writer = chainOf(1_000);
    for (let i = 0; i < 3; i++) await increment(writer, 'a');
    await writer.sweep(Date.now() + 5_000);
    await db.collection('heads').updateOne({ _id: 'a' as never }, { $set: { version: 1 } });

    // A fresh instance starts from the stale head, whose link was swept
    expect(await chainOf(1_000).latest('a')).toEqual({ version: 3, state: { n: 3 } });
  });

  it('lets exactly one of many simultaneous writers append each version', async () => {
    const chains = [chainOf(), chainOf(), chainOf()];

    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const chain = chains[i % chains.length]!;
        for (let tries = 0; tries < 200; tries++) if (await increment(chain, 'k')) return true;
        return false;
      }),
    );

    expect(results.every(Boolean)).toBe(true);
    expect(await chains[0]!.latest('k')).toEqual({ version: 30, state: { n: 30 } });
  });
});
