import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

export function mongoUrl(): string {
  const url = process.env.MONGO_URL;
  if (!url)
    throw new Error('MONGO_URL is not set: the integration global set-up starts FerretDB and sets it');
  return url;
}

/**
 * One MongoClient per test file, and a fresh database per fixture (random name), dropped by the
 * fixture's cleanup; `close()` ends the client after the file.
 */
export function mongoTestDatabases(label: string): {
  client(): Promise<MongoClient>;
  fresh(): Promise<{ db: Db; drop(): Promise<void> }>;
  close(): Promise<void>;
} {
  let connecting: Promise<MongoClient> | undefined;
  const client = (): Promise<MongoClient> => {
    connecting ??= MongoClient.connect(mongoUrl(), { serverSelectionTimeoutMS: 10_000 });
    return connecting;
  };
  return {
    client,
    async fresh() {
      const db = (await client()).db(`${label}_${randomBytes(6).toString('hex')}`);
      return { db, drop: async () => void (await db.dropDatabase()) };
    },
    async close() {
      if (connecting) await (await connecting).close();
    },
  };
}
