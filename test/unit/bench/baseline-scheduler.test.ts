import type { GenerationResult, JimengGateway, JimengSession } from '../../../src/jimeng/gateway';
import { mulberry32 } from '../../../src/simulator/prng';
import { pickAccount, runBaseline, type BaselineAccount } from '../../../bench/lib/baseline-scheduler';

const account = (id: string): BaselineAccount => ({ id, session: { sessionId: id, site: 'cn' } });

/** A gateway whose answers a test decides per session; it records what ran at the same time. */
function fakeGateway(
  answer: (session: JimengSession, call: number) => GenerationResult | Promise<GenerationResult>,
) {
  let running = 0;
  const seen = { calls: [] as string[], peak: 0 };
  const gateway = {
    generateImages: async (session: JimengSession) => {
      seen.calls.push(session.sessionId);
      running += 1;
      seen.peak = Math.max(seen.peak, running);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        return await answer(session, seen.calls.length);
      } finally {
        running -= 1;
      }
    },
  } as unknown as JimengGateway;
  return { gateway, seen };
}

const ok: GenerationResult = { ok: true, urls: ['u'], elapsedMs: 1 };
const rateLimited: GenerationResult = {
  ok: false,
  elapsedMs: 0,
  error: { errorClass: 'RATE_LIMITED', message: '4013', submitted: false },
};

describe('baseline scheduler rules', () => {
  it('picks every active account over many draws, uniformly enough', () => {
    const active = ['a', 'b', 'c', 'd'].map(account);
    const random = mulberry32(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const chosen = pickAccount(active, random)!;
      counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
  });

  it('never retries on the account that just failed while another is active', () => {
    const active = ['a', 'b'].map(account);
    const random = mulberry32(2);
    for (let i = 0; i < 100; i++) expect(pickAccount(active, random, 'a')!.id).toBe('b');
  });

  it('keeps the only account, and has none to give without active accounts', () => {
    expect(pickAccount([account('a')], Math.random, 'a')!.id).toBe('a');
    expect(pickAccount([], Math.random)).toBeUndefined();
  });

  it('runs every job at once: no concurrency cap of its own', async () => {
    const { gateway, seen } = fakeGateway(() => ok);
    const report = await runBaseline(
      Array.from({ length: 30 }, (_, i) => ({ storyboardId: `s${i}`, params: { prompt: 'p' } })),
      ['a', 'b'].map(account),
      gateway,
      { random: mulberry32(3), maxAttemptsPerJob: 5, deadlineMs: 10_000 },
    );
    expect(seen.peak).toBe(30);
    expect(report).toMatchObject({ completed: 30, lost: 0, attempts: 30, peakInFlight: 30 });
  });

  it('switches to another account at once after any error, without a cooldown', async () => {
    const { gateway, seen } = fakeGateway((session) => (session.sessionId === 'bad' ? rateLimited : ok));
    const report = await runBaseline(
      Array.from({ length: 50 }, (_, i) => ({ storyboardId: `s${i}`, params: { prompt: 'p' } })),
      ['bad', 'good'].map(account),
      gateway,
      { random: mulberry32(4), maxAttemptsPerJob: 5, deadlineMs: 10_000 },
    );
    const failures = seen.calls.filter((id) => id === 'bad').length;
    expect(failures).toBeGreaterThan(0);
    expect(report).toMatchObject({ completed: 50, lost: 0, attempts: 50 + failures });
    expect(report.errors).toEqual({ RATE_LIMITED: failures });
  });

  it('gives a job up (lost) after its attempt budget, so the run ends by itself', async () => {
    const { gateway } = fakeGateway(() => rateLimited);
    const report = await runBaseline(
      [{ storyboardId: 's', params: { prompt: 'p' } }],
      ['a', 'b'].map(account),
      gateway,
      { random: mulberry32(5), maxAttemptsPerJob: 7, deadlineMs: 10_000 },
    );
    expect(report).toMatchObject({ completed: 0, lost: 1, attempts: 7 });
  });
});
