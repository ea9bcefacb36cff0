// Behaviour specific to the in-memory EventStoreDB test server, beyond what the protocol suite can
// pin on a shared real server: exact checkpoint cadence, the caught-up signal and shutdown.
import { randomUUID } from 'node:crypto';
import {
  EventStoreDBClient,
  START,
  jsonEvent,
  streamNameFilter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { startEsdbTestServer, type EsdbTestServer } from '../../infra/esdb/server';
import { waitFor } from '../../support/wait-for';

const DEADLINE = { timeoutMs: 10_000, intervalMs: 5 };

describe('EventStoreDB test server', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    server = await startEsdbTestServer();
    client = EventStoreDBClient.connectionString(server.url);
  });

  afterEach(async () => {
    await client.dispose();
    await server.stop();
  });

  it('signals caught-up after the history and before live events', async () => {
    const stream = `storyboard-${randomUUID()}`;
    await client.appendToStream(stream, [jsonEvent({ type: 'Drafted', data: {} })]);
    const timeline: string[] = [];

    const subscription = client.subscribeToAll({ fromPosition: START });
    subscription.on('caughtUp', () => timeline.push('caught-up'));
    subscription.on('data', (resolved: ResolvedEvent) => timeline.push(resolved.event!.type));
    await waitFor(() => timeline.includes('caught-up'), { ...DEADLINE, message: 'caught-up' });
    await client.appendToStream(stream, [jsonEvent({ type: 'Approved', data: {} })]);
    await waitFor(() => timeline.length === 3, { ...DEADLINE, message: 'the live event' });
    await subscription.unsubscribe();

    expect(timeline).toEqual(['Drafted', 'caught-up', 'Approved']);
  });

  it('checkpoints every search window × interval scanned events and when caught up', async () => {
    // 13 events, every third one matching the filter; window 2 × interval 3 = a checkpoint every 6 scanned.
    for (let n = 0; n < 13; n++) {
      await client.appendToStream(n % 3 === 0 ? `match-${n}` : `other-${n}`, [
        jsonEvent({ type: 'E', data: { n } }),
      ]);
    }
    const all: ResolvedEvent[] = [];
    for await (const resolved of client.readAll()) all.push(resolved);
    const positionOf = (n: number): bigint => all[n]!.event!.position!.commit;
    const checkpoints: bigint[] = [];
    const seen: number[] = [];

    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: ['match-'],
        maxSearchWindow: 2,
        checkpointInterval: 3,
        checkpointReached: (_subscription, position: Position) => {
          checkpoints.push(position.commit);
        },
      }),
    });
    subscription.on('data', (resolved: ResolvedEvent) =>
      seen.push((resolved.event!.data as { n: number }).n),
    );
    await waitFor(() => checkpoints.length === 3, { ...DEADLINE, message: 'three checkpoints' });
    await subscription.unsubscribe();

    expect(seen).toEqual([0, 3, 6, 9, 12]);
    expect(checkpoints).toEqual([positionOf(5), positionOf(11), positionOf(12)]);
  });

  it('ends live subscriptions when stopped', async () => {
    const subscription = client.subscribeToAll({ fromPosition: START });
    let caughtUp = false;
    subscription.on('caughtUp', () => {
      caughtUp = true;
    });
    subscription.resume();
    await waitFor(() => caughtUp, { ...DEADLINE, message: 'caught-up' });
    const started = Date.now();

    await server.stop();

    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
