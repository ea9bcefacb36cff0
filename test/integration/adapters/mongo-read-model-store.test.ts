import { MongoClient } from 'mongodb';
import {
  MongoReadModelStore,
  READ_MODEL_COLLECTIONS,
} from '../../../src/adapters/read-models/mongo-read-model-store';
import type { ProjectionWrite } from '../../../src/ports/read-models';
import { readModelStoreContract } from '../../contracts/read-model-store.contract';
import { aRecord, putRecord } from '../../support/read-model-builders';
import { mongoTestDatabases, mongoUrl } from './mongo-test-database';

const databases = mongoTestDatabases('read_models');

afterAll(async () => {
  await databases.close();
});

// The guard the server picks on its own (the read on FerretDB), and the {_id, position} filter that
// MongoDB gets: both code paths meet the contract here.
for (const [label, options] of [
  ['MongoDB', {}],
  ['MongoDB, replace guarded by its filter', { replaceGuard: 'filter' }],
] as const) {
  readModelStoreContract(label, async () => {
    const { db, drop } = await databases.fresh();
    const store = new MongoReadModelStore(db, options);
    await store.ensureIndexes();
    return {
      store,
      async cleanup() {
        await store.close();
        await drop();
      },
    };
  });
}

describe('MongoReadModelStore on its database', () => {
  let fixture: Awaited<ReturnType<typeof databases.fresh>>;

  beforeEach(async () => {
    fixture = await databases.fresh();
  });

  afterEach(async () => {
    await fixture.drop();
  });

  it('creates the indexes the queries need, and creating them again is harmless', async () => {
    const store = new MongoReadModelStore(fixture.db);

    await store.ensureIndexes();
    await store.ensureIndexes();

    const keys = (await fixture.db.collection(READ_MODEL_COLLECTIONS.image).indexes()).map(
      (index) => index.key,
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        { createBy: 1, createdAt: 1, _id: 1 },
        { createBy: 1, workId: 1, createdAt: 1, _id: 1 },
        { projectId: 1, storyboardId: 1 },
      ]),
    );
  });

  it('stores the position as a fixed-width key, so string order is numeric order', async () => {
    const store = new MongoReadModelStore(fixture.db);

    await store.apply(42n, [putRecord(aRecord({ id: 'r-1' }))]);

    const raw = await fixture.db.collection(READ_MODEL_COLLECTIONS.image).findOne({ _id: 'r-1' as never });
    expect(raw).toMatchObject({ position: '00000000000000000042' });
  });

  // Concurrent writers are excluded by the projector's lock (FerretDB checks a filter and writes in
  // two steps, so two live writers could interleave); what must hold is that a projector replaying
  // what another already applied, from another connection, changes nothing.
  it('applies each event exactly once when a second projector on another connection replays the same events', async () => {
    const other = await MongoClient.connect(mongoUrl());
    try {
      const first = new MongoReadModelStore(fixture.db);
      const second = new MongoReadModelStore(other.db(fixture.db.databaseName));
      await first.apply(1n, [putRecord(aRecord({ id: 'r-1', attemptCount: 0 }))]);
      const countAttempt: ProjectionWrite = {
        record: {
          kind: 'image',
          id: 'r-1',
          update: (current) => current && { ...current, attemptCount: current.attemptCount + 1 },
        },
      };
      const replay = async (store: MongoReadModelStore) => {
        for (let position = 2n; position <= 9n; position += 1n) await store.apply(position, [countAttempt]);
      };

      await replay(first);
      await replay(second);

      expect(await first.getRecord('image', 'r-1')).toMatchObject({ attemptCount: 8, position: '9' });
    } finally {
      await other.close();
    }
  });

  it("writes a document once for all of a batch's events of it", async () => {
    const client = await MongoClient.connect(mongoUrl(), { monitorCommands: true });
    const writes: string[] = [];
    client.on('commandStarted', (event) => {
      if (['insert', 'update'].includes(event.commandName)) writes.push(event.commandName);
    });
    try {
      const store = new MongoReadModelStore(client.db(fixture.db.databaseName));
      const countAttempt: ProjectionWrite = {
        record: {
          kind: 'image',
          id: 'r-1',
          update: (current) => current && { ...current, attemptCount: current.attemptCount + 1 },
        },
      };

      await store.applyMany([
        { position: 1n, writes: [putRecord(aRecord({ id: 'r-1', attemptCount: 0 }))] },
        { position: 2n, writes: [countAttempt] },
        { position: 3n, writes: [countAttempt] },
      ]);
      await store.applyMany([
        { position: 4n, writes: [countAttempt] },
        { position: 5n, writes: [countAttempt] },
      ]);

      expect(writes).toEqual(['insert', 'update']);
      expect(await store.getRecord('image', 'r-1')).toMatchObject({ attemptCount: 4, position: '5' });
    } finally {
      await client.close();
    }
  });
});
