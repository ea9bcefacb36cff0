import { MongoClient } from 'mongodb';
import { MongoLocks } from '../../../src/adapters/locks/mongo-locks';
import { locksContract } from '../../contracts/locks.contract';
import { mongoTestDatabases, mongoUrl } from './mongo-test-database';

const databases = mongoTestDatabases('locks');

afterAll(async () => {
  await databases.close();
});

locksContract('MongoDB', async () => {
  const { db, drop } = await databases.fresh();
  const locks = new MongoLocks(db);
  await locks.ensureIndexes();
  const peers: MongoClient[] = [];
  return {
    locks,
    async peer() {
      const client = await MongoClient.connect(mongoUrl());
      peers.push(client);
      return new MongoLocks(client.db(db.databaseName));
    },
    async cleanup() {
      for (const client of peers) await client.close();
      await drop();
    },
  };
});
