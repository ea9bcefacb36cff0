import { Projector } from '../../../../src/projections';
import { QuotaScheduler } from '../../../../src/workers/quota';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';
import {
  ACCOUNT_STREAM,
  IMAGE_STREAM,
  at,
  completed,
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
/** Registered at 2030-03-01T00:00Z with reset time 00:00 UTC+8: the first reset is at 16:00Z. */
const FIRST_RESET = '2030-03-01T16:00:00.000Z';
const SECOND_RESET = '2030-03-02T16:00:00.000Z';

describe('QuotaScheduler on the embedded adapters', () => {
  let runtime: SqliteRuntime;
  let projector: Projector;
  let clock: ManualClock;
  const schedulers: QuotaScheduler[] = [];

  beforeEach(async () => {
    runtime = openSqliteRuntime('quota');
    clock = new ManualClock(new Date(at(60)));
    projector = new Projector(runtime.events, runtime.readModels, clock, runtime.logger);
    await projector.start();
  });

  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
    await projector.stop();
    await runtime.close();
  });

  const newScheduler = (intervalMs = 30_000): QuotaScheduler => {
    const scheduler = new QuotaScheduler(runtime.events, runtime.readModels, clock, runtime.logger, {
      intervalMs,
    });
    schedulers.push(scheduler);
    return scheduler;
  };

  async function settle(position: bigint): Promise<void> {
    expect(await projector.waitForPosition(position, TIMEOUT)).toBe(true);
  }

  async function resets(): Promise<unknown[]> {
    return (await runtime.events.readStream(ACCOUNT_STREAM))
      .filter((e) => e.type === 'AccountQuotaReset')
      .map((e) => e.data);
  }

  /** An account that made one image today and whose video credits ran out until the reset. */
  async function givenAccountWithUsage(): Promise<void> {
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);
    await appendEvents(runtime.events, IMAGE_STREAM, [requested(), started(1), completed(1)]);
    const last = await appendEvents(runtime.events, ACCOUNT_STREAM, [
      {
        type: 'AccountCapabilityChanged',
        data: {
          accountId: 'a1',
          kind: 'video',
          status: 'unavailable',
          until: FIRST_RESET,
          reason: 'INSUFFICIENT_CREDITS',
          at: at(120),
        },
      },
    ]);
    await settle(last.position);
    expect(await runtime.readModels.getAccount('a1')).toMatchObject({
      imageUsedToday: 1,
      videoGenerationStatus: 0,
      nextQuotaResetAt: FIRST_RESET,
    });
  }

  it('does nothing before the reset time', async () => {
    await givenAccountWithUsage();
    clock.set(new Date(Date.parse(FIRST_RESET) - 1000));
    await expect(newScheduler().tick()).resolves.toEqual([]);
    expect(await resets()).toEqual([]);
  });

  it('at the reset time, resets the daily usage and re-enables the capability that ran out of credits', async () => {
    await givenAccountWithUsage();
    clock.set(new Date(Date.parse(FIRST_RESET) + 5000));

    await expect(newScheduler().tick()).resolves.toEqual(['a1']);

    expect(await resets()).toEqual([
      { accountId: 'a1', at: clock.now().toISOString(), nextResetAt: SECOND_RESET },
    ]);
    await waitFor(
      async () => (await runtime.readModels.getAccount('a1'))?.nextQuotaResetAt === SECOND_RESET,
      {
        timeoutMs: TIMEOUT,
        message: 'the reset projected',
      },
    );
    expect(await runtime.readModels.getAccount('a1')).toMatchObject({
      imageUsedToday: 0,
      imageCount: 1,
      videoGenerationStatus: 1,
      videoUnavailableUntil: null,
    });
  });

  it('two schedulers at once, and a scheduler ticking again before the read model caught up, reset once', async () => {
    await givenAccountWithUsage();
    clock.set(new Date(Date.parse(FIRST_RESET) + 5000));

    const [first, second] = await Promise.all([newScheduler().tick(), newScheduler().tick()]);
    const third = await newScheduler().tick();

    // The loser of the race either decides again on the new state (nothing to do) or repeats the
    // winner's append with the same event ids, which the store takes as the same write.
    expect(new Set([...first, ...second])).toEqual(new Set(['a1']));
    expect(third).toEqual([]);
    expect(await resets()).toHaveLength(1);
  });

  it('skips deleted accounts', async () => {
    await givenAccountWithUsage();
    const last = await appendEvents(runtime.events, ACCOUNT_STREAM, [
      { type: 'AccountDeleted', data: { accountId: 'a1', updateBy: 'ops', at: at(200) } },
    ]);
    await settle(last.position);
    clock.set(new Date(Date.parse(FIRST_RESET) + 5000));
    await expect(newScheduler().tick()).resolves.toEqual([]);
  });

  it('runs on its interval once started', async () => {
    await givenAccountWithUsage();
    clock.set(new Date(Date.parse(FIRST_RESET) + 5000));
    newScheduler(20).start();
    await waitFor(async () => (await resets()).length === 1, {
      timeoutMs: TIMEOUT,
      message: 'a reset by the timer',
    });
  });
});
