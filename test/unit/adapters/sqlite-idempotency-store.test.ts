import { SqliteIdempotencyStore } from '../../../src/adapters/idempotency/sqlite-idempotency-store';
import { idempotencyStoreContract } from '../../contracts/idempotency-store.contract';
import { tempSqliteDatabase } from './temp-sqlite-file';

idempotencyStoreContract('SQLite', async () => {
  const sqlite = tempSqliteDatabase('idempotency-contract');
  return {
    store: new SqliteIdempotencyStore(sqlite.db),
    async cleanup() {
      sqlite.remove();
    },
  };
});
