// Pins the EventStoreDB behaviour the product relies on, through the public @eventstore/db-client API
// only, against ESDB_URL: the protocol test server in CI, a real EventStoreDB from docker compose on a
// laptop. Stream names and event types carry a random suffix, so a shared real server is fine.
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
  type StreamSubscription,
  type AllStreamSubscription,
} from '@eventstore/db-client';
import { waitFor } from '../../support/wait-for';

const DEADLINE = { timeoutMs: 30_000, intervalMs: 10 };

const unique = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, '')}`;
const event = (type: string, data: Record<string, unknown> = {}, id = randomUUID()) =>
  jsonEvent({ id, type, data });

async function collect(events: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const seen: ResolvedEvent[] = [];
  for await (const resolved of events) seen.push(resolved);
  return seen;
}

const revisions = (events: ResolvedEvent[]): bigint[] => events.map((resolved) => resolved.event!.revision);

/** Collects what a subscription delivers, keeping only the events of the given streams. */
function record(
  subscription: StreamSubscription | AllStreamSubscription,
  streams: string[],
): ResolvedEvent[] {
  const seen: ResolvedEvent[] = [];
  subscription.on('data', (resolved: ResolvedEvent) => {
    if (resolved.event !== undefined && streams.includes(resolved.event.streamId)) seen.push(resolved);
  });
  return seen;
}

async function expectWrongExpectedVersion(
  attempt: Promise<unknown>,
  expected: {
    streamName: string;
    expectedVersion: AppendExpectedRevision;
    actualVersion: bigint | 'no_stream';
  },
): Promise<void> {
  const error: unknown = await attempt.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  const wrong = error as WrongExpectedVersionError;
  expect({
    streamName: wrong.streamName,
    expectedVersion: wrong.expectedVersion,
    actualVersion: wrong.actualVersion,
  }).toEqual(expected);
}

describe('EventStoreDB protocol, as the product uses it', () => {
  let client: EventStoreDBClient;
  const subscriptions: { unsubscribe(): Promise<void> }[] = [];

  beforeAll(() => {
    const url = process.env.ESDB_URL;
    if (url === undefined || url === '')
      throw new Error('ESDB_URL is not set: the integration set-up provides it.');
    client = EventStoreDBClient.connectionString(url);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.unsubscribe()));
  });

  afterAll(async () => {
    await client.dispose();
  });

  describe('appendToStream and expected revisions', () => {
    it('creates a stream with NO_STREAM and refuses NO_STREAM once it exists', async () => {
      const stream = unique('order');

      const first = await client.appendToStream(stream, [event('Placed'), event('Paid')], {
        expectedRevision: NO_STREAM,
      });

      expect(first.success).toBe(true);
      expect(first.nextExpectedRevision).toBe(1n);
      expect(first.position).toBeDefined();
      await expectWrongExpectedVersion(
        client.appendToStream(stream, event('Placed'), { expectedRevision: NO_STREAM }),
        { streamName: stream, expectedVersion: NO_STREAM, actualVersion: 1n },
      );
    });

    it('appends with ANY whether or not the stream exists', async () => {
      const stream = unique('order');

      const created = await client.appendToStream(stream, event('Placed'), { expectedRevision: ANY });
      const extended = await client.appendToStream(stream, event('Paid'), { expectedRevision: ANY });

      expect(created.nextExpectedRevision).toBe(0n);
      expect(extended.nextExpectedRevision).toBe(1n);
      expect(extended.position!.commit).toBeGreaterThan(created.position!.commit);
    });

    it('appends with STREAM_EXISTS only to an existing stream', async () => {
      const stream = unique('order');

      await expectWrongExpectedVersion(
        client.appendToStream(stream, event('Paid'), { expectedRevision: STREAM_EXISTS }),
        { streamName: stream, expectedVersion: STREAM_EXISTS, actualVersion: 'no_stream' },
      );
      await client.appendToStream(stream, event('Placed'), { expectedRevision: NO_STREAM });
      const result = await client.appendToStream(stream, event('Paid'), { expectedRevision: STREAM_EXISTS });

      expect(result.nextExpectedRevision).toBe(1n);
    });

    it('appends with an exact revision only when it is the current one', async () => {
      const stream = unique('order');
      await client.appendToStream(stream, [event('Placed'), event('Paid')], { expectedRevision: NO_STREAM });

      await expectWrongExpectedVersion(
        client.appendToStream(stream, event('Shipped'), { expectedRevision: 0n }),
        {
          streamName: stream,
          expectedVersion: 0n,
          actualVersion: 1n,
        },
      );
      await expectWrongExpectedVersion(
        client.appendToStream(stream, event('Shipped'), { expectedRevision: 5n }),
        {
          streamName: stream,
          expectedVersion: 5n,
          actualVersion: 1n,
        },
      );
      const result = await client.appendToStream(stream, event('Shipped'), { expectedRevision: 1n });

      expect(result.nextExpectedRevision).toBe(2n);
    });

    it('refuses an exact revision on a stream that does not exist', async () => {
      const stream = unique('order');

      await expectWrongExpectedVersion(
        client.appendToStream(stream, event('Placed'), { expectedRevision: 0n }),
        {
          streamName: stream,
          expectedVersion: 0n,
          actualVersion: 'no_stream',
        },
      );
    });

    it('acknowledges a repeated append of the same event ids without writing them again', async () => {
      const stream = unique('order');
      const batch = [event('Placed', { n: 1 }), event('Paid', { n: 2 })];
      const original = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });

      const retriedNoStream = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
      const retriedAny = await client.appendToStream(stream, batch, { expectedRevision: ANY });
      const next = event('Shipped');
      await client.appendToStream(stream, next, { expectedRevision: 1n });
      const retriedExact = await client.appendToStream(stream, next, { expectedRevision: 1n });

      expect(retriedNoStream.nextExpectedRevision).toBe(original.nextExpectedRevision);
      expect(retriedAny.nextExpectedRevision).toBe(original.nextExpectedRevision);
      expect(retriedExact.nextExpectedRevision).toBe(2n);
      const stored = await collect(client.readStream(stream));
      expect(stored.map((resolved) => resolved.event!.id)).toEqual([batch[0]!.id, batch[1]!.id, next.id]);
    });

    it('stores type, JSON and binary data, metadata and the creation time as appended', async () => {
      const stream = unique('media');
      const before = Date.now();
      const bytes = Uint8Array.from([0, 1, 2, 250, 255]);

      await client.appendToStream(stream, [
        jsonEvent({ type: 'Described', data: { title: '分镜 1', n: 1 }, metadata: { correlationId: 'c-1' } }),
        binaryEvent({ type: 'Uploaded', data: bytes }),
      ]);
      const [json, binary] = await collect(client.readStream(stream));

      expect(json!.event).toMatchObject({
        streamId: stream,
        type: 'Described',
        isJson: true,
        data: { title: '分镜 1', n: 1 },
        metadata: { correlationId: 'c-1' },
      });
      expect(binary!.event).toMatchObject({ type: 'Uploaded', isJson: false });
      expect(Buffer.from(binary!.event!.data as Uint8Array)).toEqual(Buffer.from(bytes));
      const created = json!.event!.created.getTime();
      expect(created).toBeGreaterThanOrEqual(before - 5_000);
      expect(created).toBeLessThanOrEqual(Date.now() + 5_000);
    });
  });

  describe('readStream', () => {
    let stream: string;

    beforeAll(async () => {
      stream = unique('record');
      await client.appendToStream(
        stream,
        [0, 1, 2, 3, 4].map((n) => event('Step', { n })),
        { expectedRevision: NO_STREAM },
      );
    });

    it('reads forwards from the start', async () => {
      expect(revisions(await collect(client.readStream(stream)))).toEqual([0n, 1n, 2n, 3n, 4n]);
    });

    it('reads forwards from a revision, inclusive, up to maxCount events', async () => {
      const events = await collect(client.readStream(stream, { fromRevision: 2n, maxCount: 2 }));

      expect(revisions(events)).toEqual([2n, 3n]);
      expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 2 }, { n: 3 }]);
    });

    it('reads backwards from the end and from a revision', async () => {
      const fromEnd = await collect(
        client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }),
      );
      const fromRevision = await collect(
        client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n }),
      );

      expect(revisions(fromEnd)).toEqual([4n, 3n]);
      expect(revisions(fromRevision)).toEqual([2n, 1n, 0n]);
    });

    it('reads nothing forwards past the end', async () => {
      expect(await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 5n }))).toEqual([]);
    });

    it('raises StreamNotFoundError for a stream never written', async () => {
      const missing = unique('missing');

      const error = await collect(client.readStream(missing)).then(
        () => undefined,
        (rejection: unknown) => rejection,
      );

      expect(error).toBeInstanceOf(StreamNotFoundError);
      expect((error as StreamNotFoundError).streamName).toBe(missing);
    });
  });

  describe('readAll', () => {
    it('reads forwards from a position, inclusive, in increasing positions', async () => {
      const stream = unique('ledger');
      const first = await client.appendToStream(stream, event('Opened'));
      await client.appendToStream(stream, [event('Credited'), event('Debited')]);

      const events = await collect(client.readAll({ fromPosition: first.position!, maxCount: 200 }));
      const ours = events.filter((resolved) => resolved.event?.streamId === stream);

      expect(events[0]!.event!.streamId).toBe(stream);
      expect(revisions(ours)).toEqual([0n, 1n, 2n]);
      expect(ours[0]!.event!.position).toEqual(first.position);
      const commits = events.map((resolved) => resolved.event!.position!.commit);
      expect([...commits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(commits);
      expect(new Set(commits).size).toBe(commits.length);
    });

    it('reads backwards from the end, newest first', async () => {
      const stream = unique('ledger');
      await client.appendToStream(stream, [event('Opened'), event('Credited'), event('Debited')]);

      const events = await collect(
        client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 200 }),
      );

      expect(revisions(events.filter((resolved) => resolved.event?.streamId === stream))).toEqual([
        2n,
        1n,
        0n,
      ]);
    });

    it('reads from the start with maxCount, oldest first', async () => {
      await client.appendToStream(unique('ledger'), [event('Opened'), event('Credited')]);

      const firstTwo = await collect(client.readAll({ fromPosition: START, maxCount: 2 }));
      const firstOne = await collect(client.readAll({ fromPosition: START, maxCount: 1 }));

      expect(firstTwo).toHaveLength(2);
      expect(firstOne.map((resolved) => resolved.event!.id)).toEqual([firstTwo[0]!.event!.id]);
      expect(firstTwo[1]!.event!.position!.commit).toBeGreaterThan(firstTwo[0]!.event!.position!.commit);
    });
  });

  describe('subscriptions', () => {
    it('subscribeToStream delivers the history, then live events, in order', async () => {
      const stream = unique('storyboard');
      await client.appendToStream(stream, [event('Drafted'), event('Approved')], {
        expectedRevision: NO_STREAM,
      });

      const subscription = client.subscribeToStream(stream, { fromRevision: START });
      subscriptions.push(subscription);
      const seen = record(subscription, [stream]);
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the history of the stream' });
      await client.appendToStream(stream, event('Rendered'), { expectedRevision: 1n });
      await waitFor(() => seen.length === 3, { ...DEADLINE, message: 'the live event' });

      expect(revisions(seen)).toEqual([0n, 1n, 2n]);
      expect(seen.map((resolved) => resolved.event!.type)).toEqual(['Drafted', 'Approved', 'Rendered']);
    });

    it('subscribeToStream from a revision starts strictly after it', async () => {
      const stream = unique('storyboard');
      await client.appendToStream(stream, [event('Drafted'), event('Approved'), event('Rendered')]);

      const subscription = client.subscribeToStream(stream, { fromRevision: 0n });
      subscriptions.push(subscription);
      const seen = record(subscription, [stream]);
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the events after revision 0' });
      await client.appendToStream(stream, event('Published'));
      await waitFor(() => seen.length === 3, { ...DEADLINE, message: 'the live event' });

      expect(revisions(seen)).toEqual([1n, 2n, 3n]);
    });

    it('subscribeToAll from the start delivers the history, then live events', async () => {
      const stream = unique('site');
      await client.appendToStream(stream, [event('Added'), event('Enabled')]);

      const subscription = client.subscribeToAll({ fromPosition: START });
      subscriptions.push(subscription);
      const seen = record(subscription, [stream]);
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the history in $all' });
      await client.appendToStream(stream, event('Disabled'));
      await waitFor(() => seen.length === 3, { ...DEADLINE, message: 'the live event in $all' });

      expect(revisions(seen)).toEqual([0n, 1n, 2n]);
      expect(seen.every((resolved) => resolved.event!.position !== undefined)).toBe(true);
    });

    it('subscribeToAll from a stored position starts strictly after it', async () => {
      const stream = unique('site');
      const checkpoint = await client.appendToStream(stream, event('Added'));
      await client.appendToStream(stream, event('Enabled'));

      const subscription = client.subscribeToAll({ fromPosition: checkpoint.position! });
      subscriptions.push(subscription);
      const everything: ResolvedEvent[] = [];
      subscription.on('data', (resolved: ResolvedEvent) => everything.push(resolved));
      const seen = record(subscription, [stream]);
      await waitFor(() => seen.length === 1, { ...DEADLINE, message: 'the event after the stored position' });
      await client.appendToStream(stream, event('Disabled'));
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the live event' });

      expect(revisions(seen)).toEqual([1n, 2n]);
      expect(
        everything.every((resolved) => resolved.event!.position!.commit > checkpoint.position!.commit),
      ).toBe(true);
    });

    it('subscribeToAll with a stream name prefix filter delivers matching events and checkpoints', async () => {
      const prefix = unique('account');
      const matching = [`${prefix}-a`, `${prefix}-b`];
      const other = unique('other');
      const checkpoints: Position[] = [];
      await client.appendToStream(matching[0]!, event('Leased'));
      await client.appendToStream(other, event('Leased'));
      const last = await client.appendToStream(matching[1]!, event('Leased'));

      const subscription = client.subscribeToAll({
        fromPosition: START,
        filter: streamNameFilter({
          prefixes: [prefix],
          maxSearchWindow: 1,
          checkpointReached: (_subscription, position) => {
            checkpoints.push(position);
          },
        }),
      });
      subscriptions.push(subscription);
      const seen = record(subscription, [...matching, other]);
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the matching history' });
      await client.appendToStream(matching[0]!, event('Released'));
      await waitFor(() => seen.length === 3, { ...DEADLINE, message: 'the matching live event' });
      // A real server checkpoints as it scans; noise moves it on without matching the filter.
      await waitFor(
        async () => {
          if (checkpoints.some((position) => position.commit >= last.position!.commit)) return true;
          await client.appendToStream(other, event('Noise'));
          return false;
        },
        { ...DEADLINE, intervalMs: 50, message: 'a checkpoint past the last matching event' },
      );

      expect(seen.map((resolved) => resolved.event!.streamId)).toEqual([
        matching[0],
        matching[1],
        matching[0],
      ]);
      const commits = checkpoints.map((position) => position.commit);
      expect([...commits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(commits);
    });

    it('subscribeToAll with an event type filter delivers only those types', async () => {
      const type = unique('SwitchRequested');
      const stream = unique('switch');
      const checkpoints: Position[] = [];
      await client.appendToStream(stream, [
        event(type, { n: 1 }),
        event('Unrelated'),
        event(`${type}Done`, { n: 2 }),
      ]);

      const subscription = client.subscribeToAll({
        fromPosition: START,
        filter: eventTypeFilter({
          regex: `^${type}`,
          checkpointReached: (_subscription, position) => {
            checkpoints.push(position);
          },
        }),
      });
      subscriptions.push(subscription);
      const seen = record(subscription, [stream]);
      await waitFor(() => seen.length === 2, { ...DEADLINE, message: 'the events of the filtered type' });
      await client.appendToStream(stream, [event('Unrelated'), event(type, { n: 3 })]);
      await waitFor(() => seen.length === 3, { ...DEADLINE, message: 'the live event of the filtered type' });
      await waitFor(
        async () => {
          if (checkpoints.length > 0) return true;
          await client.appendToStream(unique('noise'), event('Noise'));
          return false;
        },
        { ...DEADLINE, intervalMs: 50, message: 'a checkpoint' },
      );

      expect(seen.map((resolved) => resolved.event!.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(revisions(seen)).toEqual([0n, 2n, 4n]);
    });

    it('keeps a subscription in order while many events are appended', async () => {
      const stream = unique('bulk');
      const subscription = client.subscribeToStream(stream, { fromRevision: START });
      subscriptions.push(subscription);
      const seen = record(subscription, [stream]);

      for (let batch = 0; batch < 50; batch++) {
        await client.appendToStream(
          stream,
          Array.from({ length: 20 }, (_, i) => event('Tick', { n: batch * 20 + i })),
        );
      }
      await waitFor(() => seen.length === 1_000, { ...DEADLINE, message: '1000 events' });

      expect(seen.map((resolved) => (resolved.event!.data as { n: number }).n)).toEqual(
        Array.from({ length: 1_000 }, (_, n) => n),
      );
    });
  });
});
