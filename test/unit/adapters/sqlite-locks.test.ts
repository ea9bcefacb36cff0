import { SqliteLocks } from '../../../src/adapters/locks/sqlite-locks';
import { openSqliteDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import { locksContract } from '../../contracts/locks.contract';
import { tempSqliteFile } from './temp-sqlite-file';

locksContract('SQLite', async () => {
  const temp = tempSqliteFile('locks-contract');
  const connections: SqliteDatabase[] = [openSqliteDatabase(temp.file)];
  return {
    locks: new SqliteLocks(connections[0]),
    async peer() {
      const db = openSqliteDatabase(temp.file);
      connections.push(db);
      return new SqliteLocks(db);
    },
    async cleanup() {
      for (const db of connections) db.close();
      temp.remove();
    },
  };
});
