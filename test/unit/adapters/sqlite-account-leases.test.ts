import { SqliteAccountLeases } from '../../../src/adapters/account-leases/sqlite-account-leases';
import { openSqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import { accountLeasesContract } from '../../contracts/account-leases.contract';
import { tempSqliteDatabase, tempSqliteFile } from './temp-sqlite-file';

accountLeasesContract('SQLite', async (clock) => {
  const sqlite = tempSqliteDatabase('account-leases-contract');
  return {
    leases: new SqliteAccountLeases(sqlite.db, { clock }),
    async peer() {
      return new SqliteAccountLeases(sqlite.connect(), { clock });
    },
    async cleanup() {
      sqlite.remove();
    },
  };
});

describe('SqliteAccountLeases on its file', () => {
  it('prunes lease starts that left the rpm window when the account is leased again', async () => {
    const temp = tempSqliteFile('account-leases');
    const db = openSqliteDatabase(temp.file);
    try {
      const leases = new SqliteAccountLeases(db);
      const base = Date.parse('2030-01-01T00:00:00Z');
      const ask = (ms: number) =>
        leases.tryAcquire({
          accountId: 'a-1',
          holder: 'r:1',
          concurrencyCap: 100,
          rpmCap: 100,
          ttlMs: 1_000,
          now: new Date(base + ms),
        });
      for (let i = 0; i < 5; i += 1) await ask(i);

      await ask(120_000);

      expect(db.prepare('SELECT count(*) AS n FROM lease_starts').get()).toEqual({ n: 1 });
    } finally {
      db.close();
      temp.remove();
    }
  });
});
