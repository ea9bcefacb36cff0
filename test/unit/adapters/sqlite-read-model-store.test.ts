import { SqliteReadModelStore } from '../../../src/adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import { readModelStoreContract } from '../../contracts/read-model-store.contract';
import { aRecord, putRecord } from '../../support/read-model-builders';
import { tempSqliteDatabase, tempSqliteFile } from './temp-sqlite-file';

readModelStoreContract('SQLite', async () => {
  const sqlite = tempSqliteDatabase('read-models-contract');
  const store = new SqliteReadModelStore(sqlite.db);
  return {
    store,
    async cleanup() {
      await store.close();
      sqlite.remove();
    },
  };
});

describe('SqliteReadModelStore on its file', () => {
  let temp: ReturnType<typeof tempSqliteFile>;

  beforeEach(() => {
    temp = tempSqliteFile('read-models');
  });

  afterEach(() => {
    temp.remove();
  });

  it('keeps documents and checkpoints across a reopen', async () => {
    const first = openSqliteDatabase(temp.file);
    const store = new SqliteReadModelStore(first);
    await store.apply(3n, [putRecord(aRecord({ id: 'r-1' }))]);
    await store.saveCheckpoint('records', 3n);
    first.close();

    const second = openSqliteDatabase(temp.file);
    const reopened = new SqliteReadModelStore(second);

    expect(await reopened.getRecord('image', 'r-1')).toMatchObject({ position: '3' });
    expect(await reopened.getCheckpoint('records')).toBe(3n);
    second.close();
  });

  it('rolls back every write of an event when one of them throws', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteReadModelStore(db);

    await expect(
      store.apply(1n, [
        putRecord(aRecord({ id: 'r-1' })),
        {
          record: {
            kind: 'image',
            id: 'r-2',
            update: () => {
              throw new Error('projector bug');
            },
          },
        },
      ]),
    ).rejects.toThrow('projector bug');

    expect(await store.getRecord('image', 'r-1')).toBeNull();
    db.close();
  });

  it('answers a page by creator and work from the index, in index order', () => {
    const db = openSqliteDatabase(temp.file);
    new SqliteReadModelStore(db);

    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT doc FROM rm_records
         WHERE kind = ? AND create_by = ? AND work_id = ? AND is_deleted = 0
         ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
      )
      .all('image', 'u', 'w') as Array<{ detail: string }>;

    const details = plan.map((step) => step.detail).join('\n');
    expect(details).toContain('rm_records_by_creator_work');
    expect(details).not.toContain('TEMP B-TREE');
    db.close();
  });
});
