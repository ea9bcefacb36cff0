import { randomUUID } from 'node:crypto';
import {
  WrongExpectedRevisionError,
  type AllSubscription,
  type EventStore,
  type EventToAppend,
  type StoredEvent,
} from '../../src/ports/event-store';
import { waitFor } from '../support/wait-for';

export interface EventStoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
}

const TEST_TIMEOUT_MS = 60_000;
const DEADLINE = { timeoutMs: 30_000, intervalMs: 20 };

/**
 * The behaviour every EventStore adapter must show. Uses only the port, unique stream names per
 * test and generous deadlines, so it runs unchanged against the embedded store and a real server
 * shared with other tests.
 */
export function eventStoreContract(name: string, make: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    const openSubscriptions: AllSubscription[] = [];

    beforeAll(async () => {
      subject = await make();
      store = subject.store;
    }, TEST_TIMEOUT_MS);

    afterEach(async () => {
      await Promise.all(openSubscriptions.splice(0).map((subscription) => subscription.close()));
    });

    afterAll(async () => {
      await subject?.cleanup();
    }, TEST_TIMEOUT_MS);

    function subscribe(options: Parameters<EventStore['subscribeToAll']>[0]) {
      const subscription = store.subscribeToAll(options);
      openSubscriptions.push(subscription);
      const received: StoredEvent[] = [];
      let ended = false;
      let failure: unknown;
      void (async () => {
        try {
          for await (const event of subscription) received.push(event);
        } catch (error) {
          failure = error;
        } finally {
          ended = true;
        }
      })();
      return {
        subscription,
        received,
        ended: () => ended,
        async receivedCount(count: number, from: (event: StoredEvent) => boolean = () => true) {
          return waitFor(
            () => {
              if (failure) throw failure;
              const matching = received.filter(from);
              return matching.length >= count ? matching : undefined;
            },
            { ...DEADLINE, message: `${count} events from the subscription` },
          );
        },
      };
    }

    describe('append and expected revision', () => {
      it(
        'creates a stream with no_stream and reads its events back in order',
        async () => {
          const streamId = uniqueStream('created');
          const events = [
            event('Registered', { n: 1 }, { correlationId: 'c-1', actor: 'tester' }),
            event('Updated', { n: 2 }),
          ];

          const result = await store.append(streamId, events, 'no_stream');

          expect(result.nextExpectedRevision).toBe(1);
          const stored = await store.readStream(streamId);
          expect(stored.map((e) => [e.streamId, e.revision, e.id, e.type, e.data])).toEqual([
            [streamId, 0, events[0].id, 'Registered', { n: 1 }],
            [streamId, 1, events[1].id, 'Updated', { n: 2 }],
          ]);
          expect(stored[0].metadata).toMatchObject({ correlationId: 'c-1', actor: 'tester' });
          expect(stored[0].createdAt).toBeInstanceOf(Date);
          expect(Number.isNaN(stored[0].createdAt.getTime())).toBe(false);
          expect(stored[1].position).toBe(result.position);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses no_stream when the stream exists, reporting the actual revision',
        async () => {
          const streamId = uniqueStream('exists');
          await store.append(streamId, [event('A'), event('B')], 'no_stream');

          const error = await store.append(streamId, [event('C')], 'no_stream').catch((e: unknown) => e);

          expectWrongRevision(error, streamId, 'no_stream', 1);
          expect(await store.readStream(streamId)).toHaveLength(2);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'refuses stream_exists on a missing stream (actual -1) and accepts it on an existing one',
        async () => {
          const streamId = uniqueStream('must-exist');

          const error = await store.append(streamId, [event('A')], 'stream_exists').catch((e: unknown) => e);
          expectWrongRevision(error, streamId, 'stream_exists', -1);
          expect(await store.readStream(streamId)).toEqual([]);

          await store.append(streamId, [event('A')], 'no_stream');
          const result = await store.append(streamId, [event('B')], 'stream_exists');
          expect(result.nextExpectedRevision).toBe(1);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'accepts an exact revision that matches and refuses a stale one',
        async () => {
          const streamId = uniqueStream('exact');
          await store.append(streamId, [event('A'), event('B')], 'no_stream');

          const result = await store.append(streamId, [event('C')], 1);
          expect(result.nextExpectedRevision).toBe(2);

          const stale = await store.append(streamId, [event('D')], 1).catch((e: unknown) => e);
          expectWrongRevision(stale, streamId, 1, 2);

          const ahead = await store.append(streamId, [event('D')], 5).catch((e: unknown) => e);
          expectWrongRevision(ahead, streamId, 5, 2);

          const missing = await store
            .append(uniqueStream('exact-missing'), [event('A')], 0)
            .catch((e: unknown) => e);
          expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
          expect((missing as WrongExpectedRevisionError).actual).toBe(-1);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'accepts any on a missing and on an existing stream',
        async () => {
          const streamId = uniqueStream('any');

          expect((await store.append(streamId, [event('A')], 'any')).nextExpectedRevision).toBe(0);
          expect((await store.append(streamId, [event('B'), event('C')], 'any')).nextExpectedRevision).toBe(
            2,
          );
          expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'lets exactly one of several concurrent appends with the same expected revision win',
        async () => {
          const streamId = uniqueStream('race');
          await store.append(streamId, [event('Created')], 'no_stream');

          const outcomes = await Promise.allSettled(
            Array.from({ length: 6 }, (_, index) => store.append(streamId, [event(`Attempt${index}`)], 0)),
          );

          const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
          const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
          expect(winners).toHaveLength(1);
          for (const loser of losers) {
            expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
          }
          const stored = await store.readStream(streamId);
          expect(stored).toHaveLength(2);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'gives strictly increasing global positions in append order, across streams',
        async () => {
          const first = uniqueStream('order-a');
          const second = uniqueStream('order-b');

          const results = [];
          results.push(await store.append(first, [event('A1')], 'no_stream'));
          results.push(await store.append(second, [event('B1'), event('B2')], 'no_stream'));
          results.push(await store.append(first, [event('A2')], 0));

          const positions = results.map((result) => result.position);
          expect(positions[0] < positions[1] && positions[1] < positions[2]).toBe(true);
          const secondEvents = await store.readStream(second);
          expect(secondEvents[0].position < secondEvents[1].position).toBe(true);
          expect(positions[0] < secondEvents[0].position).toBe(true);
          expect(typeof secondEvents[0].position).toBe('bigint');
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('idempotent appends', () => {
      it(
        'answers a retried first append (same ids, no_stream) with the original result and writes nothing',
        async () => {
          const streamId = uniqueStream('retry-new');
          const events = [event('A'), event('B')];

          const original = await store.append(streamId, events, 'no_stream');
          const retried = await store.append(streamId, events, 'no_stream');

          expect(retried).toEqual(original);
          expect(await store.readStream(streamId)).toHaveLength(2);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'answers a retried append with an exact revision, and with any, without writing',
        async () => {
          const streamId = uniqueStream('retry-exact');
          await store.append(streamId, [event('A')], 'no_stream');
          const next = [event('B'), event('C')];

          const original = await store.append(streamId, next, 0);
          const retriedExact = await store.append(streamId, next, 0);
          const retriedAny = await store.append(streamId, next, 'any');

          expect(retriedExact).toEqual(original);
          expect(retriedAny.nextExpectedRevision).toBe(original.nextExpectedRevision);
          expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'still refuses a stale append whose ids are new',
        async () => {
          const streamId = uniqueStream('retry-new-ids');
          await store.append(streamId, [event('A')], 'no_stream');
          await store.append(streamId, [event('B')], 0);

          const error = await store.append(streamId, [event('B')], 0).catch((e: unknown) => e);

          expectWrongRevision(error, streamId, 0, 1);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('readStream', () => {
      let streamId: string;

      beforeAll(async () => {
        streamId = uniqueStream('read');
        await store.append(
          streamId,
          Array.from({ length: 10 }, (_, n) => event(`E${n}`, { n })),
          'no_stream',
        );
      }, TEST_TIMEOUT_MS);

      const revisions = (events: StoredEvent[]) => events.map((e) => e.revision);

      it(
        'reads forwards from a revision (inclusive) with a maximum count',
        async () => {
          expect(revisions(await store.readStream(streamId))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          expect(revisions(await store.readStream(streamId, { fromRevision: 7 }))).toEqual([7, 8, 9]);
          expect(revisions(await store.readStream(streamId, { fromRevision: 3, maxCount: 2 }))).toEqual([
            3, 4,
          ]);
          expect(revisions(await store.readStream(streamId, { direction: 'forwards', maxCount: 3 }))).toEqual(
            [0, 1, 2],
          );
          expect(await store.readStream(streamId, { fromRevision: 10 })).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads backwards from the end or from a revision (inclusive) with a maximum count',
        async () => {
          expect(revisions(await store.readStream(streamId, { direction: 'backwards' }))).toEqual([
            9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
          ]);
          expect(
            revisions(await store.readStream(streamId, { direction: 'backwards', maxCount: 1 })),
          ).toEqual([9]);
          expect(
            revisions(
              await store.readStream(streamId, { direction: 'backwards', fromRevision: 4, maxCount: 3 }),
            ),
          ).toEqual([4, 3, 2]);
          expect(
            revisions(await store.readStream(streamId, { direction: 'backwards', fromRevision: 1 })),
          ).toEqual([1, 0]);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'reads a missing stream as an empty list in both directions',
        async () => {
          const missing = uniqueStream('missing');
          expect(await store.readStream(missing)).toEqual([]);
          expect(await store.readStream(missing, { direction: 'backwards' })).toEqual([]);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('headPosition', () => {
      it(
        'is at least the position of the latest append',
        async () => {
          const result = await store.append(uniqueStream('head'), [event('A')], 'no_stream');

          const head = await store.headPosition();

          expect(head).not.toBeNull();
          expect((head as bigint) >= result.position).toBe(true);
        },
        TEST_TIMEOUT_MS,
      );
    });

    describe('subscribeToAll', () => {
      it(
        'replays history from the start, then delivers live appends, in global order',
        async () => {
          const prefix = uniquePrefix('sub-start');
          await store.append(`${prefix}-a`, [event('A1'), event('A2')], 'no_stream');
          await store.append(`${prefix}-b`, [event('B1')], 'no_stream');

          const tail = subscribe({ from: 'start', streamPrefixes: [prefix] });
          const history = await tail.receivedCount(3);
          expect(history.map((e) => e.type)).toEqual(['A1', 'A2', 'B1']);

          await store.append(`${prefix}-a`, [event('A3')], 1);
          const all = await tail.receivedCount(4);
          expect(all.map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'A3']);
          expect(all[3]).toMatchObject({ streamId: `${prefix}-a`, revision: 2 });
          expectIncreasingPositions(all);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'starts strictly after a given position',
        async () => {
          const prefix = uniquePrefix('sub-from');
          const streamId = `${prefix}-s`;
          await store.append(streamId, [event('E0'), event('E1'), event('E2')], 'no_stream');
          const [first] = await store.readStream(streamId);

          const tail = subscribe({ from: first.position, streamPrefixes: [prefix] });

          const received = await tail.receivedCount(2);
          expect(received.map((e) => e.type)).toEqual(['E1', 'E2']);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'delivers only streams matching one of the prefixes',
        async () => {
          const wanted = uniquePrefix('sub-wanted');
          const alsoWanted = uniquePrefix('sub-also');
          const unwanted = uniquePrefix('sub-unwanted');
          await store.append(`${unwanted}-x`, [event('U1')], 'no_stream');
          await store.append(`${wanted}-x`, [event('W1')], 'no_stream');
          await store.append(`${alsoWanted}-x`, [event('W2')], 'no_stream');

          const tail = subscribe({ from: 'start', streamPrefixes: [wanted, alsoWanted] });
          await tail.receivedCount(2);
          await store.append(`${unwanted}-x`, [event('U2')], 0);
          await store.append(`${wanted}-x`, [event('W3')], 0);

          const received = await tail.receivedCount(3);
          expect(received.map((e) => e.type)).toEqual(['W1', 'W2', 'W3']);
          expect(tail.received.some((e) => e.streamId.startsWith(unwanted))).toBe(false);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'without a prefix filter, delivers every stream after the position',
        async () => {
          const prefix = uniquePrefix('sub-unfiltered');
          const head = await store.headPosition();
          await store.append(`${prefix}-a`, [event('A')], 'no_stream');
          await store.append(`${prefix}-b`, [event('B')], 'no_stream');

          const tail = subscribe({ from: head ?? 'start' });

          const ours = await tail.receivedCount(2, (e) => e.streamId.startsWith(prefix));
          expect(ours.map((e) => e.type)).toEqual(['A', 'B']);
          expectIncreasingPositions(tail.received);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'ends the iteration when closed, while waiting for live events',
        async () => {
          const prefix = uniquePrefix('sub-close');
          await store.append(`${prefix}-a`, [event('A')], 'no_stream');
          const tail = subscribe({ from: 'start', streamPrefixes: [prefix] });
          await tail.receivedCount(1);

          await tail.subscription.close();

          await waitFor(() => tail.ended(), { ...DEADLINE, message: 'the iteration to end after close()' });
          await store.append(`${prefix}-a`, [event('B')], 0);
          expect(tail.received.map((e) => e.type)).toEqual(['A']);
        },
        TEST_TIMEOUT_MS,
      );
    });
  });
}

function event(
  type: string,
  data: unknown = {},
  metadata?: EventToAppend['metadata'],
): EventToAppend & { id: string } {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

function uniqueStream(label: string): string {
  return `contract_${label}-${randomUUID().replace(/-/g, '')}`;
}

function uniquePrefix(label: string): string {
  return `contract_${label}_${randomUUID().replace(/-/g, '')}`;
}

function expectWrongRevision(error: unknown, streamId: string, expected: unknown, actual: number): void {
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  const wrong = error as WrongExpectedRevisionError;
  expect(wrong.streamId).toBe(streamId);
  expect(wrong.expected).toBe(expected);
  expect(wrong.actual).toBe(actual);
}

function expectIncreasingPositions(events: StoredEvent[]): void {
  for (let index = 1; index < events.length; index += 1) {
    expect(events[index].position > events[index - 1].position).toBe(true);
  }
}
