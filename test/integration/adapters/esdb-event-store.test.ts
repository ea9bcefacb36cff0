import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { EsdbEventStore } from '../../../src/adapters/event-store/esdb-event-store';
import type { StoredEvent } from '../../../src/ports/event-store';
import { eventStoreContract } from '../../contracts/event-store.contract';
import { waitFor } from '../../support/wait-for';

const esdbUrl = (): string => {
  const url = process.env.ESDB_URL;
  if (!url) throw new Error('ESDB_URL is not set: run through the integration project (its global set-up)');
  return url;
};

eventStoreContract('EventStoreDB', async () => {
  const store = new EsdbEventStore(esdbUrl());
  return { store, cleanup: () => store.close() };
});

describe('EsdbEventStore on EventStoreDB', () => {
  const DEADLINE = { timeoutMs: 30_000, intervalMs: 20 };
  let direct: EsdbEventStore;
  let proxy: ConnectionCutter;
  let throughProxy: EsdbEventStore;
  const drops: unknown[] = [];

  beforeAll(async () => {
    direct = new EsdbEventStore(esdbUrl());
    const target = new URL(esdbUrl().replace(/^esdb:/, 'http:'));
    proxy = await ConnectionCutter.start(target.hostname, Number(target.port || 2113));
    throughProxy = new EsdbEventStore(`esdb://127.0.0.1:${proxy.port}?tls=false`, {
      resubscribeBackoff: { initialMs: 20, maxMs: 200 },
      onSubscriptionDropped: (error) => drops.push(error),
    });
  });

  afterAll(async () => {
    await throughProxy?.close();
    await direct?.close();
    await proxy?.stop();
  });

  function follow(store: EsdbEventStore, prefix: string) {
    const subscription = store.subscribeToAll({ from: 'start', streamPrefixes: [prefix] });
    const received: StoredEvent[] = [];
    const done = (async () => {
      for await (const event of subscription) received.push(event);
    })();
    return { subscription, received, done };
  }

  it('keeps a subscription going across dropped connections, without gaps or duplicates', async () => {
    // given a subscription through a proxy that has delivered the stream's history
    const prefix = `esdb_resubscribe_${randomUUID().replace(/-/g, '')}`;
    const streamId = `${prefix}-s`;
    await direct.append(streamId, [0, 1, 2].map(numbered), 'no_stream');
    const tail = follow(throughProxy, prefix);
    await waitFor(() => tail.received.length >= 3, { ...DEADLINE, message: 'the history' });

    // when the connection is cut twice, once while events are appended elsewhere
    proxy.cutAll();
    await direct.append(streamId, [3, 4].map(numbered), 2);
    await waitFor(() => tail.received.length >= 5, { ...DEADLINE, message: 'events after the first cut' });
    proxy.cutAll();
    await direct.append(streamId, [5].map(numbered), 4);
    await waitFor(() => tail.received.length >= 6, { ...DEADLINE, message: 'events after the second cut' });

    // then every event arrived once, in order, and the drops were reported
    expect(tail.received.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(drops.length).toBeGreaterThanOrEqual(2);
    await tail.subscription.close();
    await tail.done;
  });

  it('resumes after the server was unreachable for a while', async () => {
    // given a subscription that has caught up
    const prefix = `esdb_unreachable_${randomUUID().replace(/-/g, '')}`;
    const streamId = `${prefix}-s`;
    await direct.append(streamId, [numbered(0)], 'no_stream');
    const tail = follow(throughProxy, prefix);
    await waitFor(() => tail.received.length >= 1, { ...DEADLINE, message: 'the first event' });

    // when the server cannot be reached while two events are appended, then comes back
    await proxy.refuse();
    await direct.append(streamId, [1, 2].map(numbered), 0);
    const dropsBefore = drops.length;
    await waitFor(() => drops.length > dropsBefore + 1, { ...DEADLINE, message: 'failed resubscriptions' });
    await proxy.accept();

    // then the subscription delivers exactly the missed events and follows live appends again
    await waitFor(() => tail.received.length >= 3, { ...DEADLINE, message: 'the missed events' });
    await direct.append(streamId, [numbered(3)], 2);
    await waitFor(() => tail.received.length >= 4, { ...DEADLINE, message: 'a live event' });
    expect(tail.received.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
    await tail.subscription.close();
    await tail.done;
  });

  it('stores metadata as JSON custom metadata and reads it back whole', async () => {
    const streamId = `esdb_metadata-${randomUUID()}`;
    const metadata = { correlationId: 'c-1', causationId: 'e-0', actor: 'tester', schemaVersion: 2 };

    await direct.append(streamId, [{ type: 'Noted', data: { text: '备注' }, metadata }], 'no_stream');

    const [stored] = await direct.readStream(streamId);
    expect(stored).toMatchObject({ type: 'Noted', data: { text: '备注' }, metadata });
    expect(stored.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("gives the head as the newest event of ours, looking past more than a page of the server's own", async () => {
    // given a user event followed by 40 system events ($-stream, $-type), as a real server writes
    const ours = await direct.append(`esdb_head-${randomUUID()}`, [numbered(0)], 'no_stream');
    const statsStream = `$stats-${randomUUID()}`;
    await direct.append(
      statsStream,
      Array.from({ length: 40 }, () => ({ id: randomUUID(), type: '$statsCollected', data: {} })),
      'no_stream',
    );

    // when the head is asked for
    const head = await direct.headPosition();

    // then it is our event (or a user event another test appended since), never a system one
    expect(head).not.toBeNull();
    expect(head! >= ours.position).toBe(true);
    const systemPositions = (await direct.readStream(statsStream)).map((e) => e.position);
    expect(systemPositions).toHaveLength(40);
    expect(systemPositions).not.toContain(head);
  });

  it('reports the stream as it is for an empty append', async () => {
    const streamId = `esdb_empty-${randomUUID()}`;
    const written = await direct.append(streamId, [numbered(0)], 'no_stream');

    const result = await direct.append(streamId, [], 0);

    expect(result).toEqual(written);
  });
});

function numbered(n: number) {
  return { id: randomUUID(), type: `E${n}`, data: { n } };
}

/** A TCP proxy in front of the server whose connections a test can cut, or refuse for a while. */
class ConnectionCutter {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    public port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<ConnectionCutter> {
    const cutter = new ConnectionCutter(targetHost, targetPort, 0);
    await cutter.accept();
    return cutter;
  }

  /** Listens (again, on the same port once it has one). */
  async accept(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Stops listening and cuts every connection: the server looks down. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cutAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.refuse();
  }
}
