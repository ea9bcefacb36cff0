import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../../src/adapters/event-store/sqlite-event-store';
import { openSqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import type { StoredEvent } from '../../../src/ports/event-store';
import { eventStoreContract } from '../../contracts/event-store.contract';
import { waitFor } from '../../support/wait-for';
import { tempSqliteDatabase, tempSqliteFile } from './temp-sqlite-file';

eventStoreContract('SQLite', async () => {
  const sqlite = tempSqliteDatabase('event-store-contract');
  const store = new SqliteEventStore(sqlite.db, { pollIntervalMs: 50 });
  return {
    store,
    async cleanup() {
      await store.close();
      sqlite.remove();
    },
  };
});

describe('SqliteEventStore on its file', () => {
  let temp: ReturnType<typeof tempSqliteFile>;

  beforeEach(() => {
    temp = tempSqliteFile('event-store');
  });

  afterEach(() => {
    temp.remove();
  });

  it('answers appends made together (one group commit) each on its own', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db);
    await store.append('taken', [{ type: 'Seeded', data: {} }], 'no_stream');

    // given 50 new streams and one stream that already exists, appended in the same turn
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 50 }, (_, i) =>
        store.append(`fresh-${i}`, [{ type: 'Made', data: { i } }], 'no_stream'),
      ),
      store.append('taken', [{ type: 'Made', data: {} }], 'no_stream'),
    ]);

    // then every fresh stream is written, the conflicting one alone is refused and wrote nothing
    expect(outcomes.slice(0, 50).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[50]).toMatchObject({
      status: 'rejected',
      reason: { name: 'WrongExpectedRevisionError' },
    });
    expect(await store.readStream('taken')).toHaveLength(1);
    const positions = outcomes
      .slice(0, 50)
      .map((o) => (o as PromiseFulfilledResult<{ position: bigint }>).value.position);
    expect(new Set(positions).size).toBe(50);

    await store.close();
    db.close();
  });

  it('reports no head position while empty', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db);

    expect(await store.headPosition()).toBeNull();

    await store.close();
    db.close();
  });

  it('keeps appended events, their positions and idempotence across closing and reopening the file', async () => {
    const ids = [randomUUID(), randomUUID()];
    const events = ids.map((id, n) => ({
      id,
      type: 'GenerationRequested',
      data: { n },
      metadata: { actor: 'a' },
    }));
    const firstDb = openSqliteDatabase(temp.file);
    const first = new SqliteEventStore(firstDb);
    const original = await first.append('image-p.s', events, 'no_stream');
    await first.close();
    firstDb.close();

    const secondDb = openSqliteDatabase(temp.file);
    const second = new SqliteEventStore(secondDb);
    const stored = await second.readStream('image-p.s');
    const retried = await second.append('image-p.s', events, 'no_stream');
    const next = await second.append('image-p.s', [{ type: 'GenerationStarted', data: {} }], 1);

    expect(stored.map((e) => [e.id, e.revision, e.data, e.metadata])).toEqual([
      [ids[0], 0, { n: 0 }, { actor: 'a' }],
      [ids[1], 1, { n: 1 }, { actor: 'a' }],
    ]);
    expect(stored[1].position).toBe(original.position);
    expect(retried).toEqual(original);
    expect(next.position > original.position).toBe(true);
    expect(await second.headPosition()).toBe(next.position);
    await second.close();
    secondDb.close();
  });

  it('delivers to a subscription the events another connection appends to the same file (by polling)', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db, { pollIntervalMs: 20 });
    const otherDb = openSqliteDatabase(temp.file);
    const otherProcess = new SqliteEventStore(otherDb);
    const subscription = store.subscribeToAll({ from: 'start' });
    const received: StoredEvent[] = [];
    const iteration = (async () => {
      for await (const event of subscription) received.push(event);
    })();

    await store.append('account-1', [{ type: 'AccountRegistered', data: {} }], 'no_stream');
    await waitFor(() => received.length === 1, { timeoutMs: 5000 });
    await otherProcess.append('account-2', [{ type: 'AccountRegistered', data: {} }], 'no_stream');
    await waitFor(() => received.length === 2, { timeoutMs: 5000, message: 'the other connection’s event' });

    expect(received.map((e) => e.streamId)).toEqual(['account-1', 'account-2']);
    await subscription.close();
    await iteration;
    await otherProcess.close();
    await store.close();
    otherDb.close();
    db.close();
  });

  it('enforces the expected revision against another connection’s append', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db);
    const otherDb = openSqliteDatabase(temp.file);
    const other = new SqliteEventStore(otherDb);
    await store.append('account-1', [{ type: 'AccountRegistered', data: {} }], 'no_stream');
    await other.append('account-1', [{ type: 'AccountUpdated', data: {} }], 0);

    await expect(store.append('account-1', [{ type: 'AccountUpdated', data: {} }], 0)).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_REVISION',
      actual: 1,
    });

    await other.close();
    await store.close();
    otherDb.close();
    db.close();
  });

  it('pages through a long history without losing or repeating events', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db, { pageSize: 7, pollIntervalMs: 20 });
    for (let n = 0; n < 50; n += 1) {
      await store.append(
        n % 2 === 0 ? `image-${n}` : `video-${n}`,
        [{ type: 'E', data: { n } }],
        'no_stream',
      );
    }
    const subscription = store.subscribeToAll({ from: 'start', streamPrefixes: ['video-'] });
    const received: number[] = [];
    const iteration = (async () => {
      for await (const event of subscription) received.push((event.data as { n: number }).n);
    })();

    await waitFor(() => received.length >= 25, { timeoutMs: 5000 });

    expect(received).toEqual(Array.from({ length: 25 }, (_, i) => 2 * i + 1));
    await subscription.close();
    await iteration;
    await store.close();
    db.close();
  });

  it('ends an iteration left by break and stops notifying it', async () => {
    const db = openSqliteDatabase(temp.file);
    const store = new SqliteEventStore(db);
    await store.append(
      's-1',
      [
        { type: 'A', data: {} },
        { type: 'B', data: {} },
      ],
      'no_stream',
    );
    const subscription = store.subscribeToAll({ from: 'start' });

    const types: string[] = [];
    for await (const event of subscription) {
      types.push(event.type);
      break;
    }

    expect(types).toEqual(['A']);
    await store.close();
    db.close();
  });
});
