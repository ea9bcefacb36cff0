import type { AccountLeases } from '../../../../src/ports/account-leases';
import { waitFor } from '../../../support/wait-for';
import { hangingGateway } from './support/gateways';
import { Harness } from './support/harness';
import { recordingObserver } from './support/observer';

/** Leases of a process that froze: its renewals never reach the store. */
function frozenRenewals(inner: AccountLeases): AccountLeases {
  return {
    tryAcquire: (request) => inner.tryAcquire(request),
    renew: () => new Promise<boolean>(() => undefined),
    release: (leaseId) => inner.release(leaseId),
    load: (now) => inner.load(now),
    expired: (now) => inner.expired(now),
  };
}

describe('GenerationWorker recovery', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await Harness.start();
  });

  afterEach(async () => {
    await harness.close();
  });

  it("re-queues a crashed worker's attempt once its lease expires, and another worker completes it", async () => {
    // given a worker process that claims an attempt and then dies mid-call (no renewals, no outcome)
    await harness.registerAccount({ accountId: 'a1', sessionId: 'session-a1' });
    const crashed = harness.otherProcess(frozenRenewals);
    await harness.startWorker({
      process: crashed,
      gateway: hangingGateway(harness.gateway),
      config: { leaseTtlMs: 400 },
      worker: { reaper: false },
    });
    const { streamId } = await harness.requestImage();
    await harness.waitForEvent(streamId, 'GenerationStarted');
    await crashed.bus.close();

    // when another worker (with its reaper) runs
    await harness.startWorker();

    // then the expired attempt is abandoned, re-queued and completed by the live worker
    await harness.waitForStatus(streamId, 'completed');
    const types = (await harness.events(streamId)).map((event) => event.type);
    expect(types).toEqual([
      'GenerationRequested',
      'GenerationStarted',
      'AttemptAbandoned',
      'GenerationStarted',
      'GenerationCompleted',
    ]);
    const [abandoned] = await harness.eventsOfType(streamId, 'AttemptAbandoned');
    expect(abandoned?.data).toMatchObject({ attempt: 1, reason: 'lease_expired', accountId: 'a1' });
    const [completed] = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completed?.data.attempt).toBe(2);
    await waitFor(async () => (await harness.leases.expired(new Date())).length === 0, {
      timeoutMs: 2_000,
      message: 'the dead lease to be released',
    });
  });

  it('abandons running attempts on a graceful stop, and they complete after a restart', async () => {
    // given a worker running a slow attempt
    await harness.registerAccount(
      { accountId: 'a1', sessionId: 'session-a1' },
      { latency: { image: { medianMs: 30_000, p95Ms: 30_000 } } },
    );
    const first = await harness.startWorker();
    const { streamId } = await harness.requestImage();
    await harness.waitForEvent(streamId, 'GenerationStarted');

    // when it stops with a short grace period
    await first.stop({ graceMs: 50 });

    // then the attempt is handed back and its lease freed
    const [abandoned] = await harness.eventsOfType(streamId, 'AttemptAbandoned');
    expect(abandoned?.data).toMatchObject({ attempt: 1, reason: 'shutdown' });
    expect((await harness.slot(streamId)).status).toBe('retrying');
    expect(await harness.inFlight('a1')).toBe(0);

    // and a restarted worker completes it
    await harness.simulator.control.putSession('session-a1', {
      latency: { image: { medianMs: 40, p95Ms: 40 } },
    });
    await harness.startWorker();
    await harness.waitForStatus(streamId, 'completed');
    const [completed] = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completed?.data.attempt).toBe(2);
  });

  it('lets running attempts finish within the grace period', async () => {
    // given a worker running a short attempt
    await harness.registerAccount(
      { accountId: 'a1', sessionId: 'session-a1' },
      { latency: { image: { medianMs: 300, p95Ms: 300 } } },
    );
    const worker = await harness.startWorker();
    const { streamId } = await harness.requestImage();
    await harness.waitForEvent(streamId, 'GenerationStarted');

    // when it stops with a grace period longer than the call
    await worker.stop({ graceMs: 5_000 });

    // then the attempt completed instead of being abandoned
    expect((await harness.slot(streamId)).status).toBe('completed');
    expect(await harness.eventsOfType(streamId, 'AttemptAbandoned')).toEqual([]);
  });

  it('refuses the completion of an attempt that a regeneration superseded', async () => {
    // given an attempt running on a slow call
    await harness.registerAccount(
      { accountId: 'a1', sessionId: 'session-a1', concurrencyCap: 2 },
      { latency: { image: { medianMs: 500, p95Ms: 500 } } },
    );
    const observer = recordingObserver();
    await harness.startWorker({ observer });
    const { streamId } = await harness.requestImage();
    await harness.waitForEvent(streamId, 'GenerationStarted');

    // when the record is regenerated meanwhile
    await harness.regenerate(streamId, 'a lighthouse under snow');

    // then only the new attempt's result is recorded
    await waitFor(() => observer.outcomes.length === 2, {
      timeoutMs: 10_000,
      message: 'both attempts to end',
    });
    expect([...observer.outcomes].sort()).toEqual(['completed', 'stale']);
    const completions = await harness.eventsOfType(streamId, 'GenerationCompleted');
    expect(completions.map((event) => event.data.attempt)).toEqual([2]);
    const slot = await harness.slot(streamId);
    expect(slot).toMatchObject({ status: 'completed', prompt: 'a lighthouse under snow', currentAttempt: 2 });
    await waitFor(async () => (await harness.inFlight('a1')) === 0, {
      timeoutMs: 2_000,
      message: 'leases released',
    });
  });
});
