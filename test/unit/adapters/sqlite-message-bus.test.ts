import { partitionForKey } from '../../../src/adapters/message-bus/murmur2-partitioner';
import { SqliteMessageBus } from '../../../src/adapters/message-bus/sqlite-message-bus';
import { openSqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import type { IncomingMessage, MessageHandler } from '../../../src/ports/message-bus';
import { messageBusContract } from '../../contracts/message-bus.contract';
import { waitFor } from '../../support/wait-for';
import { tempSqliteDatabase, tempSqliteFile } from './temp-sqlite-file';

messageBusContract('SQLite', async () => {
  const sqlite = tempSqliteDatabase('message-bus-contract');
  const bus = new SqliteMessageBus(sqlite.db, { retryBackoff: { initialMs: 20 }, retentionIntervalMs: 200 });
  return {
    bus,
    async cleanup() {
      await bus.close();
      sqlite.remove();
    },
  };
});

describe('SqliteMessageBus on its file', () => {
  let temp: ReturnType<typeof tempSqliteFile>;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeEach(() => {
    temp = tempSqliteFile('message-bus');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    temp.remove();
  });

  function open(options: ConstructorParameters<typeof SqliteMessageBus>[1] = {}) {
    const db = openSqliteDatabase(temp.file);
    const bus = new SqliteMessageBus(db, { pollIntervalMs: 20, retryBackoff: { initialMs: 10 }, ...options });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await bus.close();
      db.close();
    };
    cleanups.push(close);
    return { db, bus, close };
  }

  function collector() {
    const received: IncomingMessage[] = [];
    const handler: MessageHandler = async (message) => {
      received.push(message);
    };
    return { received, handler, values: () => received.map((m) => m.value) };
  }

  function gate() {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  }

  /** Two keys that hash to different partitions of an 8-partition topic. */
  function keysOnDifferentPartitions(): [string, string] {
    const first = 'image-p.s0';
    for (let n = 1; ; n += 1) {
      const candidate = `image-p.s${n}`;
      if (partitionForKey(candidate, 8) !== partitionForKey(first, 8)) return [first, candidate];
    }
  }

  it('keeps unconsumed messages and committed offsets across closing and reopening the file', async () => {
    const before = open();
    await before.bus.publish([1, 2, 3].map((n) => ({ topic: 'jimeng.jobs', key: 'k', value: `${n}` })));
    const firstRun = collector();
    const consumer = await before.bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], ...firstRun });
    await waitFor(() => firstRun.received.length === 3, { timeoutMs: 5000 });
    await consumer.stop();
    await before.bus.publish([{ topic: 'jimeng.jobs', key: 'k', value: '4' }]);
    await before.close();

    const after = open();
    const secondRun = collector();
    await after.bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], ...secondRun });
    const newcomers = collector();
    await after.bus.subscribe({ groupId: 'newcomers', topics: ['jimeng.jobs'], ...newcomers });

    await waitFor(() => secondRun.received.length === 1 && newcomers.received.length === 4, {
      timeoutMs: 5000,
    });
    expect(secondRun.values()).toEqual(['4']);
    expect(secondRun.received[0].offset).toBe('3');
    expect(newcomers.values()).toEqual(['1', '2', '3', '4']);
  });

  it('delivers messages another connection publishes to the same file (by polling)', async () => {
    const consumerSide = open();
    const publisherSide = open();
    const { received, handler, values } = collector();
    await consumerSide.bus.subscribe({ groupId: 'projections', topics: ['jimeng.events'], handler });

    await publisherSide.bus.publish([
      { topic: 'jimeng.events', key: 'image-p.s1', value: '"from elsewhere"' },
    ]);

    await waitFor(() => received.length === 1, {
      timeoutMs: 5000,
      message: 'the other connection’s message',
    });
    expect(values()).toEqual(['"from elsewhere"']);
  });

  it('keeps delivering other partitions while one partition’s handler keeps failing', async () => {
    const { bus } = open();
    const [stuckKey, freeKey] = keysOnDifferentPartitions();
    let failing = true;
    let failures = 0;
    const { received, values } = collector();
    await bus.subscribe({
      groupId: 'workers',
      topics: ['jimeng.jobs'],
      handler: async (message) => {
        if (message.key === stuckKey && failing) {
          failures += 1;
          throw new Error('no account free');
        }
        received.push(message);
      },
    });

    await bus.publish([{ topic: 'jimeng.jobs', key: stuckKey, value: '"stuck"' }]);
    await waitFor(() => failures >= 2, { timeoutMs: 5000, message: 'the stuck message to be retried' });
    await bus.publish([{ topic: 'jimeng.jobs', key: freeKey, value: '"free"' }]);
    await waitFor(() => received.length === 1, { timeoutMs: 5000, message: 'the other partition’s message' });
    expect(values()).toEqual(['"free"']);

    failing = false;
    await waitFor(() => received.length === 2, {
      timeoutMs: 5000,
      message: 'the stuck message to get through',
    });
    expect(values()).toEqual(['"free"', '"stuck"']);
  });

  it('backs off between redeliveries of a failing message, up to the maximum', async () => {
    const { bus } = open({ retryBackoff: { initialMs: 40, maxMs: 80 } });
    const attempts: number[] = [];
    await bus.subscribe({
      groupId: 'workers',
      topics: ['jimeng.jobs'],
      handler: async () => {
        attempts.push(Date.now());
        throw new Error('still failing');
      },
    });

    await bus.publish([{ topic: 'jimeng.jobs', key: 'k', value: '1' }]);
    await waitFor(() => attempts.length >= 4, { timeoutMs: 5000 });

    const gaps = attempts.slice(1).map((at, index) => at - attempts[index]);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
  });

  it('handles at most `concurrency` partitions at once', async () => {
    const { bus } = open();
    const keys = Array.from({ length: 40 }, (_, n) => `video-p.s${n}`);
    await bus.publish(keys.map((key) => ({ topic: 'jimeng.jobs', key, value: '"job"' })));
    const release = gate();
    let inFlight = 0;
    let maxInFlight = 0;
    let handled = 0;
    await bus.subscribe({
      groupId: 'workers',
      topics: ['jimeng.jobs'],
      concurrency: 3,
      handler: async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await release.opened;
        inFlight -= 1;
        handled += 1;
      },
    });

    await waitFor(() => inFlight === 3, { timeoutMs: 5000, message: 'three partitions in flight' });
    release.open();
    await waitFor(() => handled === 40, { timeoutMs: 5000 });
    expect(maxInFlight).toBe(3);
  });

  it('splits a group’s partitions between two subscribers without delivering a message twice', async () => {
    const { bus } = open();
    const first = collector();
    const second = collector();
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], concurrency: 2, ...first });
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], concurrency: 2, ...second });

    const messages = Array.from({ length: 200 }, (_, n) => ({
      topic: 'jimeng.jobs',
      key: `k${n % 16}`,
      value: JSON.stringify({ key: `k${n % 16}`, n }),
    }));
    for (let start = 0; start < messages.length; start += 20)
      await bus.publish(messages.slice(start, start + 20));

    await waitFor(() => first.received.length + second.received.length === 200, { timeoutMs: 5000 });
    const all = [...first.received, ...second.received];
    expect(new Set(all.map((m) => m.value)).size).toBe(200);
    const byOffset = [...all].sort(
      (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
    );
    for (let index = 1; index < byOffset.length; index += 1) {
      const [previous, current] = [byOffset[index - 1], byOffset[index]];
      if (previous.key === current.key) {
        expect((JSON.parse(current.value) as { n: number }).n).toBeGreaterThan(
          (JSON.parse(previous.value) as { n: number }).n,
        );
      }
    }
  });

  it('never hands one partition to two workers at once, even with spare concurrency', async () => {
    const { bus } = open({ batchSize: 3 });
    let inFlight = 0;
    let maxInFlight = 0;
    const handled: string[] = [];
    const handler: MessageHandler = async (message) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      handled.push(message.value);
    };
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], concurrency: 8, handler });
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], concurrency: 8, handler });

    const values = Array.from({ length: 30 }, (_, n) => `${n}`);
    for (const value of values) await bus.publish([{ topic: 'jimeng.jobs', key: 'image-p.s1', value }]);

    await waitFor(() => handled.length >= 30, { timeoutMs: 5000 });
    expect(handled).toEqual(values);
    expect(maxInFlight).toBe(1);
  });

  it('lets stop() finish the handler in flight and commit it, then delivers nothing more', async () => {
    const { bus } = open();
    await bus.publish([{ topic: 'jimeng.jobs', key: 'k', value: '1' }]);
    const release = gate();
    let started = 0;
    const consumer = await bus.subscribe({
      groupId: 'workers',
      topics: ['jimeng.jobs'],
      handler: async () => {
        started += 1;
        await release.opened;
      },
    });
    await waitFor(() => started === 1, { timeoutMs: 5000 });

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release.open();
    await stopping;

    await bus.publish([{ topic: 'jimeng.jobs', key: 'k', value: '2' }]);
    const next = collector();
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], ...next });
    await waitFor(() => next.received.length === 1, { timeoutMs: 5000 });
    expect(next.values()).toEqual(['2']);
    expect(started).toBe(1);
  });

  it('writes a handled message’s offset to the file while the next handler is still running', async () => {
    const { bus } = open({ commitIntervalMs: 20 });
    const observer = openSqliteDatabase(temp.file);
    cleanups.push(() => {
      observer.close();
    });
    const committed = () =>
      (
        observer
          .prepare(
            "SELECT next_offset FROM mb_group_offsets WHERE group_id = 'workers' AND topic = 'jimeng.jobs'",
          )
          .all() as Array<{ next_offset: number }>
      ).reduce((sum, row) => sum + row.next_offset, 0);
    await bus.publish([1, 2].map((n) => ({ topic: 'jimeng.jobs', key: 'k', value: `${n}` })));
    const release = gate();
    await bus.subscribe({
      groupId: 'workers',
      topics: ['jimeng.jobs'],
      handler: async (message) => {
        if (message.value === '2') await release.opened;
      },
    });

    await waitFor(() => committed() === 1, { timeoutMs: 5000, message: 'offset 1 in the file' });
    release.open();
    await waitFor(() => committed() === 2, { timeoutMs: 5000, message: 'offset 2 in the file' });
  });

  it('deletes messages every known group has consumed, and keeps offsets increasing', async () => {
    const { bus, db } = open({ retentionIntervalMs: false });
    const count = () => (db.prepare('SELECT count(*) AS n FROM mb_messages').get() as { n: number }).n;
    await bus.publish([1, 2, 3].map((n) => ({ topic: 'jimeng.events', key: 'k', value: `${n}` })));
    const fast = collector();
    const fastConsumer = await bus.subscribe({ groupId: 'fast', topics: ['jimeng.events'], ...fast });
    let slowAllowed = 1;
    const slow = collector();
    const slowConsumer = await bus.subscribe({
      groupId: 'slow',
      topics: ['jimeng.events'],
      handler: async (message, context) => {
        await context.heartbeat();
        if (slow.received.length >= slowAllowed) throw new Error('not yet');
        slow.received.push(message);
      },
    });
    await waitFor(() => fast.received.length === 3 && slow.received.length === 1, { timeoutMs: 5000 });

    expect(bus.purgeConsumed()).toBe(1);
    expect(count()).toBe(2);

    slowAllowed = 3;
    await waitFor(() => slow.received.length === 3, { timeoutMs: 5000 });
    expect(bus.purgeConsumed()).toBe(2);
    expect(count()).toBe(0);

    await fastConsumer.stop();
    await slowConsumer.stop();
    await bus.publish([{ topic: 'jimeng.events', key: 'k', value: '4' }]);
    const late = collector();
    await bus.subscribe({ groupId: 'late', topics: ['jimeng.events'], ...late });
    await waitFor(() => late.received.length === 1, { timeoutMs: 5000 });
    expect(late.received[0]).toMatchObject({ value: '4', offset: '3' });
  });

  it('refuses to publish or subscribe once closed, and close() stops its consumers', async () => {
    const { bus } = open();
    const { received, handler } = collector();
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], handler });
    await bus.close();

    await expect(bus.publish([{ topic: 'jimeng.jobs', key: 'k', value: '1' }])).rejects.toThrow(/closed/);
    await expect(bus.subscribe({ groupId: 'g', topics: ['jimeng.jobs'], handler })).rejects.toThrow(/closed/);
    expect(received).toEqual([]);
  });
});

describe('SqliteMessageBus when its database goes away', () => {
  it('reports the failure instead of crashing the process', async () => {
    const temp = tempSqliteFile('message-bus-closed-db');
    const db = openSqliteDatabase(temp.file);
    const errors: unknown[] = [];
    const bus = new SqliteMessageBus(db, { pollIntervalMs: 10, onError: (error) => errors.push(error) });
    await bus.subscribe({ groupId: 'workers', topics: ['jimeng.jobs'], handler: async () => undefined });

    db.close();

    await waitFor(() => errors.length > 0, { timeoutMs: 5000, message: 'the failure to be reported' });
    await bus.close();
    temp.remove();
  });
});
