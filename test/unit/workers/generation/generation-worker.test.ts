import type { EventStore } from '../../../../src/ports/event-store';
import { waitFor } from '../../../support/wait-for';
import { regionRefusedOn } from './support/gateways';
import { Harness } from './support/harness';
import { recordingObserver } from './support/observer';

describe('GenerationWorker on the embedded runtime', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await Harness.start();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('completes a requested image and releases the account lease', async () => {
    // given one domestic account and a worker
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1' });
    const observer = recordingObserver();
    await harness.startWorker({ observer });

    // when an image is requested
    const { streamId, recordId } = await harness.requestImage();

    // then the record completes on that account with the simulator's four images
    await harness.waitForStatus(streamId, 'completed');
    const [started] = await harness.eventsOfType(streamId, 'GenerationStarted');
    expect(started?.data).toMatchObject({ recordId, attempt: 1, accountId: 'a1', site: 'cn' });
    const [completed] = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completed?.data.urls).toHaveLength(4);
    expect(completed?.data.attempt).toBe(1);
    await waitFor(async () => (await harness.inFlight('a1')) === 0, {
      timeoutMs: 2_000,
      message: 'lease released',
    });
    expect(observer.outcomes).toEqual(['completed']);
  });

  it('drops a job that a regeneration superseded before any claim', async () => {
    // given a request and its regeneration, both waiting on the bus before any worker runs
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1' });
    const { streamId } = await harness.requestImage();
    await harness.regenerate(streamId, 'a lighthouse at dusk');

    // when a worker consumes both jobs
    const observer = recordingObserver();
    await harness.startWorker({ observer });

    // then only the regeneration's job starts an attempt
    await harness.waitForStatus(streamId, 'completed');
    expect(observer.drops).toContain('stale');
    const types = (await harness.events(streamId)).map((event) => event.type);
    expect(types).toEqual([
      'GenerationRequested',
      'RegenerationRequested',
      'GenerationStarted',
      'GenerationCompleted',
    ]);
  });

  it('loses the claim when a regeneration lands between selection and claim, and frees the lease', async () => {
    // given an event store where a regeneration is appended right before the first claim
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1' });
    const store = harness.eventStore;
    let raced = false;
    const racing: EventStore = {
      append: async (streamId, events, expected) => {
        if (!raced && events.some((event) => event.type === 'GenerationStarted')) {
          raced = true;
          await harness.regenerate(streamId, 'a lighthouse in fog');
        }
        return store.append(streamId, events, expected);
      },
      readStream: (streamId, options) => store.readStream(streamId, options),
      subscribeToAll: (options) => store.subscribeToAll(options),
      headPosition: () => store.headPosition(),
      close: async () => undefined,
    };
    const observer = recordingObserver();
    await harness.startWorker({
      observer,
      process: {
        eventStore: racing,
        bus: harness.bus,
        leases: harness.leases,
        readModels: harness.readModels,
        close: async () => undefined,
      },
    });

    // when an image is requested
    const { streamId } = await harness.requestImage();

    // then the first claim is dropped and the regeneration's job completes the record
    await harness.waitForStatus(streamId, 'completed');
    expect(observer.drops).toContain('claim_conflict');
    const types = (await harness.events(streamId)).map((event) => event.type);
    expect(types).toEqual([
      'GenerationRequested',
      'RegenerationRequested',
      'GenerationStarted',
      'GenerationCompleted',
    ]);
    await waitFor(async () => (await harness.inFlight('a1')) === 0, {
      timeoutMs: 2_000,
      message: 'leases released',
    });
  });

  it("never runs more of one account's calls at once than its cap, across two workers", async () => {
    // given one account with a concurrency cap of 2 whose calls take a while, and two workers
    await harness.registerAccount(
      { accountId: 'a1', sessionId: 'session-a1', concurrencyCap: 2, rpmCap: 1_000 },
      { latency: { image: { medianMs: 120, p95Ms: 120 } }, credits: 1_000 },
    );
    await harness.startWorker();
    await harness.startWorker();

    // when twelve images are requested at once
    const requests = [];
    for (let i = 0; i < 12; i++) requests.push(await harness.requestImage());

    // then all complete, and the upstream never saw more than two calls of the session at once
    for (const { streamId } of requests) await harness.waitForStatus(streamId, 'completed', 20_000);
    const stats = await harness.simulator.control.stats();
    expect(stats.sessions['session-a1']?.successes).toBe(12);
    expect(stats.sessions['session-a1']?.peakConcurrency).toBe(2);
  });

  it('switches to another account when one is rate limited, and cools the limited one', async () => {
    // given a preferred account whose one request per window is already spent, and a second one
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1', priority: 2 }, { rpm: 1 });
    await harness.registerAccount({ accountId: 'a2', sessionId: 'session-a2', priority: 1 });
    const warmUp = await harness.gateway.generateImages(
      { sessionId: 'session-a1', site: 'cn' },
      { prompt: 'warm-up', model: 'jimeng-4.5' },
    );
    expect(warmUp.ok).toBe(true);
    const observer = recordingObserver();
    await harness.startWorker({ observer });

    // when an image is requested
    const before = new Date();
    const { streamId } = await harness.requestImage();

    // then the first attempt fails as rate limited, the job switches account and completes
    await harness.waitForStatus(streamId, 'completed');
    const [failed] = await harness.eventsOfType(streamId, 'AttemptFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, accountId: 'a1', errorClass: 'RATE_LIMITED' });
    const [switched] = await harness.eventsOfType(streamId, 'AccountSwitched');
    expect(switched?.data).toMatchObject({
      attempt: 1,
      fromAccountId: 'a1',
      toAccountId: 'a2',
      reason: 'RATE_LIMITED',
    });
    const [completed] = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completed?.data).toMatchObject({ attempt: 2, accountId: 'a2' });
    expect(observer.switches).toEqual(['account:RATE_LIMITED']);

    // and the limited account cools down for its image capability
    const [cooled] = await harness.eventsOfType('account-a1', 'AccountCapabilityChanged');
    expect(cooled?.data).toMatchObject({
      kind: 'image',
      status: 'rate_limited',
      reason: 'RATE_LIMITED',
      strikes: 1,
    });
    expect(Date.parse(cooled!.data.until!)).toBeGreaterThan(before.getTime());
  });

  it('switches site on the same account when its registered site is refused (hk → jp)', async () => {
    // given an international account registered on hk, whose hk egress is refused
    await harness.registerAccount(
      { accountId: 'a1', sessionId: 'session-a1', accountType: 1, siteType: 'hk' },
      { sites: ['hk', 'jp'] },
    );
    const observer = recordingObserver();
    await harness.startWorker({ observer, gateway: regionRefusedOn(harness.gateway, ['hk']) });

    // when an image is requested
    const { streamId } = await harness.requestImage();

    // then the job moves to jp on the same account and completes there
    await harness.waitForStatus(streamId, 'completed');
    const [switched] = await harness.eventsOfType(streamId, 'SiteSwitched');
    expect(switched?.data).toMatchObject({
      attempt: 1,
      accountId: 'a1',
      fromSite: 'hk',
      toSite: 'jp',
      reason: 'SITE_MISMATCH',
      upstreamCode: '3000',
    });
    expect(await harness.eventsOfType(streamId, 'AccountSwitched')).toEqual([]);
    const [completed] = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completed?.data).toMatchObject({ attempt: 2, accountId: 'a1', site: 'jp' });
    // a site mismatch says nothing bad about the account
    const accountTypes = (await harness.events('account-a1')).map((event) => event.type);
    expect(accountTypes).toEqual(['AccountRegistered']);
  });

  it('fails a record whose content is rejected at once, without switching', async () => {
    // given two usable accounts
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1' });
    await harness.registerAccount({ accountId: 'a2', sessionId: 'session-a2' });
    await harness.startWorker();

    // when the prompt breaks the content rules
    const { streamId } = await harness.requestImage({ prompt: 'a forbidden scene' });

    // then the record fails after one attempt
    await harness.waitForStatus(streamId, 'failed');
    const types = (await harness.events(streamId)).map((event) => event.type);
    expect(types).toEqual(['GenerationRequested', 'GenerationStarted', 'GenerationFailed']);
    const [failed] = await harness.eventsOfType(streamId, 'GenerationFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, errorCode: 'CONTENT_REJECTED', attempts: 1 });
  });

  it('waits while every usable account cools down, then completes after the recovery', async () => {
    // given a preferred account that will be rate limited and a second one cooling for a while
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1', priority: 2 }, { rpm: 1 });
    await harness.registerAccount({ accountId: 'a2', sessionId: 'session-a2', priority: 1 });
    await harness.gateway.generateImages({ sessionId: 'session-a1', site: 'cn' }, { prompt: 'warm-up' });
    const recovery = new Date(Date.now() + 1_200);
    await harness.rateLimit('a2', recovery);
    const observer = recordingObserver();
    await harness.startWorker({ observer });

    // when an image is requested
    const { streamId } = await harness.requestImage();

    // then after the first account fails, the job waits as retrying instead of failing
    await harness.waitForEvent(streamId, 'AttemptFailed');
    await waitFor(() => observer.waits > 0, { timeoutMs: 2_000, message: 'the job to wait' });
    expect((await harness.slot(streamId)).status).toBe('retrying');

    // and completes on the second account once its cooldown ends
    await harness.waitForStatus(streamId, 'completed');
    const started = await harness.eventsOfType(streamId, 'GenerationStarted');
    expect(started.map((event) => event.data.accountId)).toEqual(['a1', 'a2']);
    expect(Date.parse(started[1]!.data.at)).toBeGreaterThanOrEqual(recovery.getTime());
  });
});
