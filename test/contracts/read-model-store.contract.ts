import type {
  ProjectionWrite,
  AccountView,
  GenerationRecordView,
  Page,
  ReadModelStore,
  RecordQuery,
} from '../../src/ports/read-models';
import {
  aRecord,
  anAccount,
  minutesAfterCreation,
  putAccount,
  putRecord,
} from '../support/read-model-builders';

export interface ReadModelStoreFixture {
  store: ReadModelStore;
  cleanup(): Promise<void>;
}

const ids = <T extends { id: string }>(page: Page<T> | T[]): string[] =>
  (Array.isArray(page) ? page : page.list).map((doc) => doc.id);

const imageQuery = (overrides: Partial<RecordQuery> = {}): RecordQuery => ({
  kind: 'image',
  page: 1,
  pageSize: 10,
  sortBy: 'createdAt',
  sortOrder: 'asc',
  ...overrides,
});

/** Behaviour every ReadModelStore adapter must show; `make` gives a fresh, empty store. */
export function readModelStoreContract(name: string, make: () => Promise<ReadModelStoreFixture>): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelStoreFixture;
    let store: ReadModelStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    /** Applies each record at its own position, 1, 2, 3... */
    async function seedRecords(records: GenerationRecordView[]): Promise<void> {
      let position = 1n;
      for (const record of records) {
        await store.apply(position, [putRecord(record)]);
        position += 1n;
      }
    }

    describe('apply', () => {
      it('creates a document and stamps it with the event position', async () => {
        await store.apply(7n, [putAccount(anAccount({ id: 'a-1' })), putRecord(aRecord({ id: 'r-1' }))]);

        expect(await store.getAccount('a-1')).toEqual(anAccount({ id: 'a-1', position: '7' }));
        expect(await store.getRecord('image', 'r-1')).toEqual(aRecord({ id: 'r-1', position: '7' }));
      });

      it('hands the current document to the update of a newer event', async () => {
        await store.apply(1n, [putAccount(anAccount({ id: 'a-1', imageCount: 1 }))]);
        const seen: Array<AccountView | null> = [];

        await store.apply(2n, [
          {
            account: {
              id: 'a-1',
              update: (current) => {
                seen.push(current);
                return current && { ...current, imageCount: current.imageCount + 1 };
              },
            },
          },
        ]);

        expect(seen).toEqual([anAccount({ id: 'a-1', imageCount: 1, position: '1' })]);
        expect(await store.getAccount('a-1')).toMatchObject({ imageCount: 2, position: '2' });
      });

      it('applies a batch of events in order, as one-by-one applies would, replays included', async () => {
        const increment: ProjectionWrite = {
          account: {
            id: 'a-1',
            update: (current) => current && { ...current, imageCount: current.imageCount + 1 },
          },
        };
        await store.applyMany([
          { position: 1n, writes: [putAccount(anAccount({ id: 'a-1', imageCount: 0 }))] },
          { position: 2n, writes: [increment] },
          { position: 3n, writes: [increment, putRecord(aRecord({ id: 'r-1' }))] },
        ]);
        // a replay from an older checkpoint overlaps the batch above
        await store.applyMany([
          { position: 2n, writes: [increment] },
          { position: 3n, writes: [increment] },
          { position: 4n, writes: [increment] },
        ]);

        expect(await store.getAccount('a-1')).toMatchObject({ imageCount: 3, position: '4' });
        expect(await store.getRecord('image', 'r-1')).toMatchObject({ position: '3' });
      });

      it('ignores a replayed event at an equal or older position', async () => {
        await store.apply(5n, [putRecord(aRecord({ id: 'r-1', prompt: 'first' }))]);

        await store.apply(5n, [putRecord(aRecord({ id: 'r-1', prompt: 'equal' }))]);
        await store.apply(4n, [putRecord(aRecord({ id: 'r-1', prompt: 'older' }))]);

        expect(await store.getRecord('image', 'r-1')).toMatchObject({ prompt: 'first', position: '5' });
      });

      it('leaves the document and its position alone when the update returns null', async () => {
        await store.apply(1n, [putAccount(anAccount({ id: 'a-1' }))]);

        await store.apply(2n, [{ account: { id: 'a-1', update: () => null } }]);

        expect(await store.getAccount('a-1')).toMatchObject({ position: '1' });
        await store.apply(2n, [putAccount(anAccount({ id: 'a-1', priority: 9 }))]);
        expect(await store.getAccount('a-1')).toMatchObject({ priority: 9, position: '2' });
      });

      it('keeps the guard per document: an old position still creates another document', async () => {
        await store.apply(10n, [putRecord(aRecord({ id: 'r-1' }))]);

        await store.apply(3n, [putRecord(aRecord({ id: 'r-2' }))]);

        expect(await store.getRecord('image', 'r-2')).toMatchObject({ position: '3' });
      });

      it('keeps images and videos apart even under one id', async () => {
        await store.apply(1n, [
          putRecord(aRecord({ id: 'r-1', kind: 'image', prompt: 'image prompt' })),
          putRecord(aRecord({ id: 'r-1', kind: 'video', prompt: 'video prompt' })),
        ]);

        expect(await store.getRecord('image', 'r-1')).toMatchObject({
          kind: 'image',
          prompt: 'image prompt',
        });
        expect(await store.getRecord('video', 'r-1')).toMatchObject({
          kind: 'video',
          prompt: 'video prompt',
        });
      });

      it('keeps nested history and absent optional fields as written', async () => {
        const record = aRecord({
          id: 'r-1',
          switchHistory: [
            {
              type: 'site',
              attempt: 1,
              fromAccountId: 'a-1',
              toAccountId: 'a-1',
              fromSite: 'hk',
              toSite: 'jp',
              reason: 'SITE_MISMATCH',
              at: minutesAfterCreation(1),
            },
          ],
          attempts: [
            {
              attempt: 1,
              accountId: 'a-1',
              site: 'hk',
              startedAt: minutesAfterCreation(0),
              outcome: 'failed',
            },
          ],
          params: { ratio: '1:1', nested: { seed: 42, tags: ['a', 'b'] } },
        });

        await store.apply(1n, [putRecord(record)]);

        expect(await store.getRecord('image', 'r-1')).toStrictEqual({ ...record, position: '1' });
      });

      it('refuses an update that returns a document under another id', async () => {
        await expect(
          store.apply(1n, [{ account: { id: 'a-1', update: () => anAccount({ id: 'a-2' }) } }]),
        ).rejects.toThrow();
        expect(await store.getAccount('a-2')).toBeNull();
      });

      it('holds positions beyond 2^63', async () => {
        const far = 2n ** 64n - 1n;
        await store.apply(far - 1n, [putAccount(anAccount({ id: 'a-1', priority: 1 }))]);

        await store.apply(far, [putAccount(anAccount({ id: 'a-1', priority: 2 }))]);
        await store.apply(far - 2n, [putAccount(anAccount({ id: 'a-1', priority: 3 }))]);

        expect(await store.getAccount('a-1')).toMatchObject({ priority: 2, position: far.toString() });
      });

      it('gives one result when the same event is applied twice at once', async () => {
        await store.apply(1n, [putAccount(anAccount({ id: 'a-1', imageCount: 0 }))]);
        const increment = {
          account: {
            id: 'a-1',
            update: (current: AccountView | null) =>
              current && { ...current, imageCount: current.imageCount + 1 },
          },
        };

        await Promise.all([
          store.apply(2n, [increment]),
          store.apply(2n, [increment]),
          store.apply(2n, [increment]),
        ]);

        expect(await store.getAccount('a-1')).toMatchObject({ imageCount: 1, position: '2' });
      });
    });

    describe('reads', () => {
      it('answers null for an unknown account or record', async () => {
        expect(await store.getAccount('nobody')).toBeNull();
        expect(await store.getRecord('video', 'nothing')).toBeNull();
      });
    });

    describe('checkpoints', () => {
      it('has none at first, then the last one saved, per projector', async () => {
        expect(await store.getCheckpoint('records')).toBeNull();

        await store.saveCheckpoint('records', 10n);
        await store.saveCheckpoint('records', 12n);
        await store.saveCheckpoint('accounts', 2n ** 63n + 5n);

        expect(await store.getCheckpoint('records')).toBe(12n);
        expect(await store.getCheckpoint('accounts')).toBe(2n ** 63n + 5n);
      });
    });

    describe('paging', () => {
      beforeEach(async () => {
        await seedRecords(
          Array.from({ length: 23 }, (_, i) =>
            aRecord({ id: `r-${String(i).padStart(2, '0')}`, createdAt: minutesAfterCreation(i) }),
          ),
        );
      });

      it('counts every match and cuts full pages', async () => {
        const page = await store.listRecords(imageQuery({ page: 1, pageSize: 10 }));

        expect(page).toMatchObject({ total: 23, page: 1, pageSize: 10, totalPages: 3 });
        expect(ids(page)).toEqual(Array.from({ length: 10 }, (_, i) => `r-${String(i).padStart(2, '0')}`));
      });

      it('returns the remainder on the last page', async () => {
        const page = await store.listRecords(imageQuery({ page: 3, pageSize: 10 }));

        expect(page).toMatchObject({ total: 23, page: 3, totalPages: 3 });
        expect(ids(page)).toEqual(['r-20', 'r-21', 'r-22']);
      });

      it('returns an empty list past the end, with the totals', async () => {
        const page = await store.listRecords(imageQuery({ page: 4, pageSize: 10 }));

        expect(page).toEqual({ list: [], total: 23, page: 4, pageSize: 10, totalPages: 3 });
      });

      it('reports zero pages when nothing matches', async () => {
        const page = await store.listRecords(imageQuery({ createBy: 'nobody' }));

        expect(page).toEqual({ list: [], total: 0, page: 1, pageSize: 10, totalPages: 0 });
      });

      it('refuses a sort key outside the indexed ones and a page below 1', async () => {
        await expect(store.listRecords(imageQuery({ sortBy: 'prompt' }))).rejects.toThrow(/sort/);
        await expect(store.listRecords(imageQuery({ page: 0 }))).rejects.toThrow(/page/);
        await expect(
          store.listAccounts({ page: 1, pageSize: 10, sortBy: 'jimengAccount', sortOrder: 'asc' }),
        ).rejects.toThrow(/sort/);
      });

      it('refuses a filter value that is not a plain string or number', async () => {
        const injected = { $ne: 'x' } as unknown as string;

        await expect(store.listRecords(imageQuery({ createBy: injected }))).rejects.toThrow(TypeError);
        await expect(
          store.listRecords(imageQuery({ generationStatus: '2' as unknown as 2 })),
        ).rejects.toThrow(TypeError);
      });
    });

    describe('record filters and order', () => {
      beforeEach(async () => {
        await seedRecords([
          aRecord({
            id: 'r-1',
            createBy: 'u-1',
            workId: 'w-1',
            createdAt: minutesAfterCreation(1),
            generationStatus: 2,
          }),
          aRecord({
            id: 'r-2',
            createBy: 'u-1',
            workId: 'w-2',
            createdAt: minutesAfterCreation(2),
            generationStatus: 0,
          }),
          aRecord({
            id: 'r-3',
            createBy: 'u-2',
            workId: 'w-1',
            createdAt: minutesAfterCreation(3),
            projectId: 'p-2',
          }),
          aRecord({
            id: 'r-4',
            createBy: 'u-1',
            workId: 'w-1',
            createdAt: minutesAfterCreation(4),
            generationStatus: 3,
          }),
          aRecord({
            id: 'r-5',
            createBy: 'u-1',
            workId: 'w-1',
            createdAt: minutesAfterCreation(5),
            isDeleted: true,
          }),
          aRecord({
            id: 'v-1',
            kind: 'video',
            createBy: 'u-1',
            workId: 'w-1',
            createdAt: minutesAfterCreation(6),
          }),
        ]);
      });

      it('filters by creator and work, without deleted records or the other kind', async () => {
        expect(ids(await store.listRecords(imageQuery({ createBy: 'u-1', workId: 'w-1' })))).toEqual([
          'r-1',
          'r-4',
        ]);
      });

      it('filters by project and by status', async () => {
        expect(ids(await store.listRecords(imageQuery({ projectId: 'p-2' })))).toEqual(['r-3']);
        expect(ids(await store.listRecords(imageQuery({ generationStatus: 0 })))).toEqual(['r-2', 'r-3']);
      });

      it('includes deleted records when asked', async () => {
        const page = await store.listRecords(
          imageQuery({ createBy: 'u-1', workId: 'w-1', includeDeleted: true }),
        );

        expect(ids(page)).toEqual(['r-1', 'r-4', 'r-5']);
        expect(page.total).toBe(3);
      });

      it('sorts descending', async () => {
        expect(ids(await store.listRecords(imageQuery({ sortOrder: 'desc' })))).toEqual([
          'r-4',
          'r-3',
          'r-2',
          'r-1',
        ]);
      });

      it('sorts by status, then creation time', async () => {
        expect(ids(await store.listRecords(imageQuery({ sortBy: 'generationStatus' })))).toEqual([
          'r-2',
          'r-3',
          'r-1',
          'r-4',
        ]);
      });

      it('lists videos on their own', async () => {
        expect(ids(await store.listRecords(imageQuery({ kind: 'video' })))).toEqual(['v-1']);
      });
    });

    describe('ties', () => {
      const tied = ['r-c', 'r-a', 'r-e', 'r-b', 'r-d'];

      beforeEach(async () => {
        await seedRecords(tied.map((id) => aRecord({ id, createdAt: minutesAfterCreation(1) })));
      });

      it('breaks ties by id in the sort direction', async () => {
        expect(ids(await store.listRecords(imageQuery()))).toEqual(['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
        expect(ids(await store.listRecords(imageQuery({ sortOrder: 'desc' })))).toEqual([
          'r-e',
          'r-d',
          'r-c',
          'r-b',
          'r-a',
        ]);
      });

      it('pages through ties without repeating or skipping a record', async () => {
        const seen: string[] = [];
        for (let page = 1; page <= 3; page += 1) {
          seen.push(...ids(await store.listRecords(imageQuery({ page, pageSize: 2, sortBy: 'updatedAt' }))));
        }

        expect(seen).toEqual(['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
      });
    });

    describe('accounts', () => {
      beforeEach(async () => {
        await store.apply(1n, [
          putAccount(
            anAccount({
              id: 'a-1',
              createBy: 'ops',
              priority: 5,
              imageCount: 3,
              createdAt: minutesAfterCreation(1),
            }),
          ),
          putAccount(
            anAccount({
              id: 'a-2',
              createBy: 'ops',
              priority: 1,
              siteType: 3,
              createdAt: minutesAfterCreation(2),
            }),
          ),
          putAccount(
            anAccount({ id: 'a-3', createBy: 'admin', accountStatus: 2, createdAt: minutesAfterCreation(3) }),
          ),
          putAccount(
            anAccount({ id: 'a-4', createBy: 'ops', isDeleted: true, createdAt: minutesAfterCreation(4) }),
          ),
        ]);
      });

      const accountQuery = { page: 1, pageSize: 10, sortBy: 'createdAt', sortOrder: 'asc' } as const;

      it('lists accounts not deleted, filtered by creator, status and site', async () => {
        expect(ids(await store.listAccounts(accountQuery))).toEqual(['a-1', 'a-2', 'a-3']);
        expect(ids(await store.listAccounts({ ...accountQuery, createBy: 'ops' }))).toEqual(['a-1', 'a-2']);
        expect(ids(await store.listAccounts({ ...accountQuery, accountStatus: 2 }))).toEqual(['a-3']);
        expect(ids(await store.listAccounts({ ...accountQuery, siteType: 3 }))).toEqual(['a-2']);
      });

      it('includes deleted accounts when asked', async () => {
        const page = await store.listAccounts({ ...accountQuery, createBy: 'ops', includeDeleted: true });

        expect(ids(page)).toEqual(['a-1', 'a-2', 'a-4']);
        expect(page).toMatchObject({ total: 3, totalPages: 1 });
      });

      it('sorts by priority and by usage', async () => {
        expect(
          ids(await store.listAccounts({ ...accountQuery, sortBy: 'priority', sortOrder: 'desc' })),
        ).toEqual(['a-1', 'a-2', 'a-3']);
        expect(
          ids(await store.listAccounts({ ...accountQuery, sortBy: 'imageCount', sortOrder: 'desc' })),
        ).toEqual(['a-1', 'a-3', 'a-2']);
      });

      it('gives the pool: every account not deleted', async () => {
        expect(ids(await store.listPool()).sort()).toEqual(['a-1', 'a-2', 'a-3']);
      });
    });

    describe('countByStatus', () => {
      it('counts live records of one kind per status, zero included', async () => {
        await seedRecords([
          aRecord({ id: 'r-1', generationStatus: 2 }),
          aRecord({ id: 'r-2', generationStatus: 2 }),
          aRecord({ id: 'r-3', generationStatus: 1 }),
          aRecord({ id: 'r-4', generationStatus: 2, isDeleted: true }),
          aRecord({ id: 'v-1', kind: 'video', generationStatus: 3 }),
        ]);

        expect(await store.countByStatus('image')).toEqual({ 0: 0, 1: 1, 2: 2, 3: 0, 4: 0 });
        expect(await store.countByStatus('video')).toEqual({ 0: 0, 1: 0, 2: 0, 3: 1, 4: 0 });
      });
    });

    describe('reset', () => {
      it('drops every document and checkpoint, and a rebuild starts from zero', async () => {
        await store.apply(9n, [putAccount(anAccount({ id: 'a-1' })), putRecord(aRecord({ id: 'r-1' }))]);
        await store.saveCheckpoint('records', 9n);

        await store.reset();

        expect(await store.getAccount('a-1')).toBeNull();
        expect(await store.getRecord('image', 'r-1')).toBeNull();
        expect(await store.getCheckpoint('records')).toBeNull();
        expect((await store.listRecords(imageQuery())).total).toBe(0);
        await store.apply(1n, [putRecord(aRecord({ id: 'r-1' }))]);
        expect(await store.getRecord('image', 'r-1')).toMatchObject({ position: '1' });
      });
    });
  });
}
