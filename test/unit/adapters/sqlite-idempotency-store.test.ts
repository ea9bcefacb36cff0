import { SqliteIdempotencyStore } from '../../../src/adapters/idempotency/sqlite-idempotency-store';
import { openSqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import { idempotencyStoreContract } from '../../contracts/idempotency-store.contract';
import { tempSqliteFile } from './temp-sqlite-file';

idempotencyStoreContract('SQLite', async () => {
  const temp = tempSqliteFile('idempotency-contract');
  const db = openSqliteDatabase(temp.file);
  return {
    store: new SqliteIdempotencyStore(db),
    async cleanup() {
      db.close();
      temp.remove();
    },
  };
});
