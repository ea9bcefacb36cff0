import type { Locks } from '../../../../src/ports/locks';
import { systemClock } from '../../../../src/ports/clock';
import {
  TOPICS,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
} from '../../../../src/ports/message-bus';
import { decodeJob } from '../../../../src/workers/jobs/job-message';
import { decodeRelayedEvent, EventRelay, type EventRelayOptions } from '../../../../src/workers/relay';
import { waitFor } from '../../../support/wait-for';
import {
  ACCOUNT_STREAM,
  IMAGE_STREAM,
  at,
  failed,
  registered,
  requested,
  started,
} from '../../projections/support/events';
import {
  appendEvents,
  openSqliteRuntime,
  type SqliteRuntime,
} from '../../projections/support/sqlite-runtime';

const TIMEOUT = 5_000;

/** A bus that records who published what, and can be made to fail. */
class RecordingBus implements MessageBus {
  published: Array<{ by: string; messages: OutgoingMessage[] }> = [];
  failing = false;
  attempts = 0;
  constructor(
    private readonly inner: MessageBus,
    private readonly by: string,
  ) {}
  async publish(messages: OutgoingMessage[]): Promise<void> {
    this.attempts += 1;
    if (this.failing) throw new Error('broker unavailable');
    await this.inner.publish(messages);
    this.published.push({ by: this.by, messages });
  }
  subscribe = (...args: Parameters<MessageBus['subscribe']>) => this.inner.subscribe(...args);
  close = async () => undefined;
}

/** Locks whose answers can be turned to "held by someone else"; counts the acquire calls. */
class SwitchableLocks implements Locks {
  denied = false;
  acquired = 0;
  constructor(private readonly inner: Locks) {}
  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    this.acquired += 1;
    return !this.denied && this.inner.acquire(name, owner, ttlMs, now);
  }
  release = (name: string, owner: string) => this.inner.release(name, owner);
}

describe('EventRelay on the embedded adapters', () => {
  let runtime: SqliteRuntime;
  const relays: EventRelay[] = [];
  const received: IncomingMessage[] = [];

  beforeEach(async () => {
    runtime = openSqliteRuntime('relay');
    received.length = 0;
    await runtime.bus.subscribe({
      groupId: 'test-observer',
      topics: [TOPICS.events, TOPICS.jobs],
      handler: async (message) => {
        received.push(message);
      },
    });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await runtime.close();
  });

  function startRelay(
    bus: MessageBus,
    options: EventRelayOptions = {},
    locks: Locks = runtime.locks,
  ): EventRelay {
    const relay = new EventRelay(
      runtime.events,
      bus,
      runtime.readModels,
      locks,
      systemClock,
      runtime.logger,
      {
        lockTtlMs: 300,
        lockRetryMs: 20,
        retryDelayMs: 20,
        ...options,
      },
    );
    relays.push(relay);
    relay.start();
    return relay;
  }

  const topic = (name: string) => received.filter((message) => message.topic === name);

  it('publishes every event to jimeng.events and each job trigger to jimeng.jobs', async () => {
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);
    await appendEvents(runtime.events, IMAGE_STREAM, [requested({ at: at(1) })]);
    await appendEvents(runtime.events, IMAGE_STREAM, [started(1), failed(1, 'RATE_LIMITED')]);
    startRelay(runtime.bus);

    await waitFor(() => topic(TOPICS.events).length === 4 && topic(TOPICS.jobs).length === 2, {
      timeoutMs: TIMEOUT,
      message: 'four events and two jobs',
    });

    const events = topic(TOPICS.events).map((message) => ({
      key: message.key,
      ...decodeRelayedEvent(message.value),
    }));
    expect(events.map((e) => [e.key, e.streamId, e.revision, e.type])).toEqual([
      [ACCOUNT_STREAM, ACCOUNT_STREAM, 0, 'AccountRegistered'],
      [IMAGE_STREAM, IMAGE_STREAM, 0, 'GenerationRequested'],
      [IMAGE_STREAM, IMAGE_STREAM, 1, 'GenerationStarted'],
      [IMAGE_STREAM, IMAGE_STREAM, 2, 'AttemptFailed'],
    ]);
    const stored = await runtime.events.readStream(IMAGE_STREAM);
    expect(events[1]).toMatchObject({
      id: stored[0]!.id,
      position: stored[0]!.position.toString(),
      metadata: { actor: 'test' },
    });
    expect(events[1]!.createdAt).toBe(stored[0]!.createdAt.toISOString());

    const jobs = topic(TOPICS.jobs).map((message) => ({ key: message.key, job: decodeJob(message.value) }));
    expect(jobs).toEqual([
      {
        key: IMAGE_STREAM,
        job: {
          streamId: IMAGE_STREAM,
          recordId: 'r1',
          kind: 'image',
          revision: 0,
          causationId: stored[0]!.id,
        },
      },
      {
        key: IMAGE_STREAM,
        job: {
          streamId: IMAGE_STREAM,
          recordId: 'r1',
          kind: 'image',
          revision: 2,
          notBefore: at(70),
          causationId: stored[2]!.id,
        },
      },
    ]);
    await waitFor(async () => (await runtime.readModels.getCheckpoint('relay')) === stored[2]!.position, {
      timeoutMs: TIMEOUT,
      message: 'relay checkpoint at the last event',
    });
  });

  it('saves the checkpoint only after a publish succeeded: a failing bus loses nothing across a restart', async () => {
    const broken = new RecordingBus(runtime.bus, 'broken');
    broken.failing = true;
    const first = startRelay(broken);
    await appendEvents(runtime.events, IMAGE_STREAM, [requested()]);
    await waitFor(() => first.isLeader, { timeoutMs: TIMEOUT, message: 'first relay leading' });
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);

    // It keeps trying (the failed batch again, then with the event appended since); nothing is
    // published and the checkpoint does not move.
    await waitFor(() => broken.attempts >= 3, { timeoutMs: TIMEOUT, message: 'publish retried' });
    expect(await runtime.readModels.getCheckpoint('relay')).toBeNull();
    await first.stop();
    expect(await runtime.readModels.getCheckpoint('relay')).toBeNull();
    expect(received).toHaveLength(0);

    startRelay(runtime.bus);
    await waitFor(() => topic(TOPICS.events).length === 2 && topic(TOPICS.jobs).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'both events and the job after the restart',
    });
  });

  it('only the relay holding the lock publishes; the other takes over when it stops', async () => {
    const busA = new RecordingBus(runtime.bus, 'A');
    const busB = new RecordingBus(runtime.bus, 'B');
    const a = startRelay(busA, { owner: 'A' });
    await waitFor(() => a.isLeader, { timeoutMs: TIMEOUT, message: 'A leading' });
    const b = startRelay(busB, { owner: 'B' });
    await appendEvents(runtime.events, IMAGE_STREAM, [requested()]);
    await waitFor(() => topic(TOPICS.events).length === 1, { timeoutMs: TIMEOUT, message: 'first event' });
    expect(b.isLeader).toBe(false);

    await a.stop();
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);
    await waitFor(() => topic(TOPICS.events).length === 2, {
      timeoutMs: TIMEOUT,
      message: 'second event via B',
    });

    expect(
      busA.published.flatMap((p) =>
        p.messages.filter((m) => m.topic === TOPICS.events).map((m) => decodeRelayedEvent(m.value).type),
      ),
    ).toEqual(['GenerationRequested']);
    expect(
      busB.published.flatMap((p) =>
        p.messages.filter((m) => m.topic === TOPICS.events).map((m) => decodeRelayedEvent(m.value).type),
      ),
    ).toEqual(['AccountRegistered']);
  });

  it('a relay that loses its lock stops publishing', async () => {
    const locksA = new SwitchableLocks(runtime.locks);
    const busA = new RecordingBus(runtime.bus, 'A');
    const a = startRelay(busA, { owner: 'A', lockRenewIntervalMs: 10 }, locksA);
    await waitFor(() => a.isLeader, { timeoutMs: TIMEOUT, message: 'A leading' });

    locksA.denied = true;
    await waitFor(() => !a.isLeader, { timeoutMs: TIMEOUT, message: 'A noticing the lost lock' });
    await appendEvents(runtime.events, IMAGE_STREAM, [requested()]);
    // B gets the lock once A's last renewal expires, and publishes what A did not.
    const busB = new RecordingBus(runtime.bus, 'B');
    startRelay(busB, { owner: 'B' });
    await waitFor(() => busB.published.length > 0, { timeoutMs: TIMEOUT, message: 'B publishing' });

    await waitFor(() => topic(TOPICS.events).length === 1, { timeoutMs: TIMEOUT, message: 'the event' });
    expect(busA.published).toHaveLength(0);
  });

  it('publishes a burst in few batches, in global order', async () => {
    const bus = new RecordingBus(runtime.bus, 'A');
    for (let i = 0; i < 20; i++) {
      await appendEvents(runtime.events, `account-b${i}`, [registered({ accountId: `b${i}` })]);
    }
    startRelay(bus, { batchSize: 8 });
    await waitFor(() => topic(TOPICS.events).length === 20, { timeoutMs: TIMEOUT, message: 'twenty events' });
    expect(bus.published.length).toBeLessThanOrEqual(5);
    expect(bus.published.every((p) => p.messages.length <= 8)).toBe(true);
    // Published in global order (consumers see it per key; keys spread over partitions).
    const positions = bus.published.flatMap((p) =>
      p.messages.map((m) => BigInt(decodeRelayedEvent(m.value).position)),
    );
    expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
  });

  it('renews its lock once per renewal interval while busy, not before every batch', async () => {
    const locks = new SwitchableLocks(runtime.locks);
    const bus = new RecordingBus(runtime.bus, 'A');
    startRelay(bus, { lockTtlMs: 60_000, batchSize: 1 }, locks);
    await waitFor(() => bus.published.length > 0 || locks.acquired > 0, {
      timeoutMs: TIMEOUT,
      message: 'the relay starting',
    });

    for (let i = 0; i < 10; i++) {
      await appendEvents(runtime.events, `account-c${i}`, [registered({ accountId: `c${i}` })]);
    }

    await waitFor(() => topic(TOPICS.events).length === 10, { timeoutMs: TIMEOUT, message: 'ten events' });
    expect(bus.published.length).toBeGreaterThanOrEqual(2);
    // the first take only: the renewal interval (a third of a minute) has not passed
    expect(locks.acquired).toBe(1);
  });
});
