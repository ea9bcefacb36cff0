import { MongoIdempotencyStore } from '../../../src/adapters/idempotency/mongo-idempotency-store';
import { idempotencyStoreContract } from '../../contracts/idempotency-store.contract';
import { mongoTestDatabases } from './mongo-test-database';

const databases = mongoTestDatabases('idempotency');

afterAll(async () => {
  await databases.close();
});

idempotencyStoreContract('MongoDB', async () => {
  const { db, drop } = await databases.fresh();
  return { store: new MongoIdempotencyStore(db), cleanup: drop };
});
