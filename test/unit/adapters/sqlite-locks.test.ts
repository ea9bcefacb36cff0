import { SqliteLocks } from '../../../src/adapters/locks/sqlite-locks';
import { locksContract } from '../../contracts/locks.contract';
import { tempSqliteDatabase } from './temp-sqlite-file';

locksContract('SQLite', async () => {
  const sqlite = tempSqliteDatabase('locks-contract');
  return {
    locks: new SqliteLocks(sqlite.db),
    async peer() {
      return new SqliteLocks(sqlite.connect());
    },
    async cleanup() {
      sqlite.remove();
    },
  };
});
