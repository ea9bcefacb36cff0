import { MongoClient } from 'mongodb';
import { MongoAccountLeases } from '../../../src/adapters/account-leases/mongo-account-leases';
import { accountLeasesContract } from '../../contracts/account-leases.contract';
import { mongoTestDatabases, mongoUrl } from './mongo-test-database';

const databases = mongoTestDatabases('account_leases');

afterAll(async () => {
  await databases.close();
});

accountLeasesContract('MongoDB', async (clock) => {
  const { db, drop } = await databases.fresh();
  const leases = new MongoAccountLeases(db, { clock });
  await leases.ensureIndexes();
  const peers: MongoClient[] = [];
  return {
    leases,
    async peer() {
      // A separate client: its own connection pool, as another worker process would have.
      const client = await MongoClient.connect(mongoUrl());
      peers.push(client);
      return new MongoAccountLeases(client.db(db.databaseName), { clock });
    },
    async cleanup() {
      for (const client of peers) await client.close();
      await drop();
    },
  };
});
