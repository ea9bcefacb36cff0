import { deterministicEventId } from '../../../../src/commands';
import type { GenerationEvent } from '../../../../src/events';
import { systemClock } from '../../../../src/ports/clock';
import type { StoredEvent } from '../../../../src/ports/event-store';
import {
  CallbackDispatcher,
  verifyCallbackSignature,
  type CallbackSettings,
} from '../../../../src/workers/callbacks';
import { EventRelay, encodeRelayedEvent } from '../../../../src/workers/relay';
import { waitFor } from '../../../support/wait-for';
import { IMAGE_STREAM, at, completed, requested, started } from '../../projections/support/events';
import {
  appendEvents,
  openSqliteRuntime,
  type SqliteRuntime,
} from '../../projections/support/sqlite-runtime';
import { CallbackServer } from './callback-server';

const TIMEOUT = 5_000;
const SECRET = 'test-callback-secret';

describe('CallbackDispatcher on the embedded adapters', () => {
  let runtime: SqliteRuntime;
  let server: CallbackServer;
  let relay: EventRelay;
  let dispatcher: CallbackDispatcher | undefined;

  beforeEach(async () => {
    runtime = openSqliteRuntime('callbacks');
    server = new CallbackServer();
    await server.start();
    relay = new EventRelay(
      runtime.events,
      runtime.bus,
      runtime.readModels,
      runtime.locks,
      systemClock,
      runtime.logger,
      {
        lockTtlMs: 1000,
        lockRetryMs: 20,
      },
    );
    relay.start();
  });

  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    await relay.stop();
    await server.stop();
    await runtime.close();
  });

  async function startDispatcher(settings: Partial<CallbackSettings> = {}): Promise<CallbackDispatcher> {
    dispatcher = new CallbackDispatcher(runtime.events, runtime.bus, systemClock, runtime.logger, {
      secret: SECRET,
      baseDelayMs: 20,
      maxDelayMs: 200,
      heartbeatIntervalMs: 20,
      random: () => 1,
      ...settings,
    });
    await dispatcher.start();
    return dispatcher;
  }

  const callbackEvents = async (): Promise<StoredEvent[]> =>
    (await runtime.events.readStream(IMAGE_STREAM)).filter((e) => e.type.startsWith('Callback'));

  async function completeRecord(callbackUrl: string, recordId = 'r1'): Promise<StoredEvent> {
    await appendEvents(runtime.events, IMAGE_STREAM, [requested({ recordId, callbackUrl })]);
    await appendEvents(runtime.events, IMAGE_STREAM, [
      started(1, 'a1', 'hk', recordId),
      completed(1, 'a1', 'hk', recordId),
    ]);
    const stream = await runtime.events.readStream(IMAGE_STREAM);
    return stream[stream.length - 1]!;
  }

  it('POSTs a signed JSON body for a completed record and records CallbackDelivered', async () => {
    await startDispatcher();
    const outcome = await completeRecord(server.url());

    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'CallbackDelivered',
    });

    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-jimeng-event-id']).toBe(outcome.id);
    expect(request!.headers['x-jimeng-delivery-attempt']).toBe('1');
    const timestamp = request!.headers['x-jimeng-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(TIMEOUT);
    expect(
      verifyCallbackSignature(
        SECRET,
        timestamp,
        request!.body,
        request!.headers['x-jimeng-signature'] as string,
      ),
    ).toBe(true);
    expect(
      verifyCallbackSignature(
        'other-secret',
        timestamp,
        request!.body,
        request!.headers['x-jimeng-signature'] as string,
      ),
    ).toBe(false);
    expect(JSON.parse(request!.body)).toEqual({
      event: 'generation.completed',
      recordId: 'r1',
      kind: 'image',
      projectId: 'p1',
      projectName: 'Project',
      storyboardId: 's1',
      workId: 'w1',
      generationStatus: 2,
      imageUrls: ['https://cdn.example/r1-1.png'],
      errorCode: null,
      errorMessage: null,
      siteSwitchCount: 0,
      attempts: 1,
      occurredAt: at(18),
    });

    const [delivered] = await callbackEvents();
    expect(delivered).toMatchObject({
      type: 'CallbackDelivered',
      id: deterministicEventId(`r1:${outcome.id}:callback:1`, 0),
      data: { recordId: 'r1', url: server.url(), httpStatus: 200, attempts: 1 },
      metadata: { actor: 'callback-dispatcher', causationId: outcome.id },
    });
  });

  it('announces a failed record with its error code', async () => {
    await startDispatcher();
    await appendEvents(runtime.events, IMAGE_STREAM, [requested({ callbackUrl: server.url() })]);
    const failure: GenerationEvent = {
      type: 'GenerationFailed',
      data: {
        recordId: 'r1',
        errorCode: 'NO_ACCOUNT_AVAILABLE',
        message: 'no account',
        attempts: 0,
        at: at(30),
      },
    };
    await appendEvents(runtime.events, IMAGE_STREAM, [failure]);

    await waitFor(() => server.received.length === 1, { timeoutMs: TIMEOUT, message: 'the callback' });
    expect(JSON.parse(server.received[0]!.body)).toMatchObject({
      event: 'generation.failed',
      generationStatus: 3,
      imageUrls: [],
      errorCode: 'NO_ACCOUNT_AVAILABLE',
      errorMessage: 'no account',
      attempts: 0,
    });
  });

  it('retries a failing receiver with growing delays, each failure an event, until it answers 2xx', async () => {
    server.respond = (_request, index) => ({ status: index < 2 ? 500 : 204 });
    await startDispatcher();
    const outcome = await completeRecord(server.url());

    await waitFor(async () => (await callbackEvents()).some((e) => e.type === 'CallbackDelivered'), {
      timeoutMs: TIMEOUT,
      message: 'delivery after two failures',
    });

    const events = await callbackEvents();
    expect(
      events.map((e) => [
        e.type,
        (e.data as { attempts: number }).attempts,
        (e.data as { final?: boolean }).final,
      ]),
    ).toEqual([
      ['CallbackFailed', 1, false],
      ['CallbackFailed', 2, false],
      ['CallbackDelivered', 3, undefined],
    ]);
    expect((events[0]!.data as { error: string }).error).toBe('HTTP 500');
    expect(events.map((e) => e.id)).toEqual(
      [1, 2, 3].map((n) => deterministicEventId(`r1:${outcome.id}:callback:${n}`, 0)),
    );
    expect(server.received.map((r) => r.headers['x-jimeng-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(server.received.map((r) => r.headers['x-jimeng-event-id']))).toEqual(
      new Set([outcome.id]),
    );
    // random() = 1: the full delay, base · 2^(n-2) after each failure (20 ms, then 40 ms).
    const failedAt = events.slice(0, 2).map((e) => Date.parse((e.data as { at: string }).at));
    expect(server.received[1]!.receivedAt - failedAt[0]!).toBeGreaterThanOrEqual(20);
    expect(server.received[2]!.receivedAt - failedAt[1]!).toBeGreaterThanOrEqual(40);
  });

  it('gives up after the maximum attempts with a final CallbackFailed', async () => {
    server.respond = () => ({ status: 503 });
    await startDispatcher({ maxAttempts: 2 });
    await completeRecord(server.url());

    await waitFor(async () => (await callbackEvents()).some((e) => (e.data as { final: boolean }).final), {
      timeoutMs: TIMEOUT,
      message: 'final failure',
    });
    expect((await callbackEvents()).map((e) => (e.data as { attempts: number }).attempts)).toEqual([1, 2]);
    expect(server.received).toHaveLength(2);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    server.respond = (request) =>
      request.path === '/hook' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 };
    await startDispatcher({ maxAttempts: 1 });
    await completeRecord(server.url());

    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'CallbackFailed',
    });
    const [event] = await callbackEvents();
    expect(event).toMatchObject({ type: 'CallbackFailed', data: { attempts: 1, final: true } });
    expect((event!.data as { error: string }).error).toContain('302');
    expect(server.received.map((r) => r.path)).toEqual(['/hook']);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    server.respond = () => null;
    await startDispatcher({ maxAttempts: 1, timeoutMs: 100 });
    await completeRecord(server.url());

    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'CallbackFailed',
    });
    const [event] = await callbackEvents();
    expect(event).toMatchObject({
      type: 'CallbackFailed',
      data: { error: 'timeout after 100 ms', final: true },
    });
  });

  it.each([
    [
      'credentials in the URL',
      (url: string) => url.replace('http://', 'http://user:pw@'),
      [] as string[],
      'credentials',
    ],
    ['a host outside the allow-list', (url: string) => url, ['hooks.example.com'], 'allow-list'],
  ])('refuses %s without sending anything', async (_name, toUrl, allowedHosts, reason) => {
    await startDispatcher({ allowedHosts });
    await completeRecord(toUrl(server.url()));

    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'CallbackFailed',
    });
    const [event] = await callbackEvents();
    expect(event).toMatchObject({ type: 'CallbackFailed', data: { attempts: 1, final: true } });
    expect((event!.data as { error: string }).error).toContain(reason);
    expect(server.received).toHaveLength(0);
  });

  it('skips an outcome the record has moved on from, and announces the new one', async () => {
    await completeRecord(server.url());
    await appendEvents(runtime.events, IMAGE_STREAM, [
      {
        type: 'RegenerationRequested',
        data: { recordId: 'r1', changes: { prompt: 'a dog' }, updateBy: 'bob', at: at(100) },
      },
    ]);
    await startDispatcher();
    await appendEvents(runtime.events, IMAGE_STREAM, [started(2), completed(2)]);

    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'one delivery',
    });
    expect(server.received).toHaveLength(1);
    expect(JSON.parse(server.received[0]!.body)).toMatchObject({
      imageUrls: ['https://cdn.example/r1-2.png'],
    });
  });

  it('a republished outcome (relay replay) does not deliver twice', async () => {
    const dispatcherUnderTest = await startDispatcher();
    const outcome = await completeRecord(server.url());
    await waitFor(async () => (await callbackEvents()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'delivery',
    });

    const replayed = {
      topic: 'jimeng.events',
      key: IMAGE_STREAM,
      value: encodeRelayedEvent(outcome),
      partition: 0,
      offset: '0',
    };
    await dispatcherUnderTest.handle(replayed, { heartbeat: async () => undefined });

    expect(server.received).toHaveLength(1);
    expect(await callbackEvents()).toHaveLength(1);
  });
});
