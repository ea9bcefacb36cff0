import { randomUUID } from 'node:crypto';
import { MongoClient, MongoServerError, type Db } from 'mongodb';

// Proves the configured server speaks the MongoDB wire protocol with the features the adapters use.
describe('MongoDB smoke', () => {
  const client = new MongoClient(process.env.MONGO_URL ?? '', { serverSelectionTimeoutMS: 10000 });
  let db: Db;

  beforeAll(async () => {
    await client.connect();
    db = client.db(`smoke_${randomUUID().replace(/-/g, '')}`);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('finds with sort, skip and limit, and counts with a filter', async () => {
    // given ten records in shuffled order
    const records = db.collection<{ n: number; storyboard: string }>('records');
    const ns = [4, 9, 1, 7, 10, 3, 6, 2, 8, 5];
    await records.insertMany(ns.map((n) => ({ n, storyboard: n % 2 === 0 ? 'even' : 'odd' })));

    // when a page is read in descending order
    const page = await records
      .find({}, { projection: { _id: 0, n: 1 } })
      .sort({ n: -1 })
      .skip(2)
      .limit(3)
      .toArray();

    // then the server sorted, skipped and limited
    expect(page).toEqual([{ n: 8 }, { n: 7 }, { n: 6 }]);
    expect(await records.countDocuments({ n: { $gte: 5 } })).toBe(6);
    expect(await records.countDocuments({ storyboard: 'even' })).toBe(5);
  });

  it('rejects a duplicate key of a unique index with code 11000', async () => {
    // given a unique index on the account name
    const accounts = db.collection<{ name: string }>('accounts');
    await accounts.createIndex({ name: 1 }, { unique: true });
    await accounts.insertOne({ name: 'account-1' });

    // when the same name is inserted again
    const duplicate = accounts.insertOne({ name: 'account-1' });

    // then the server refuses it as a duplicate key and keeps one document
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await accounts.countDocuments({ name: 'account-1' })).toBe(1);
  });
});
