// Pool efficiency: 2,000 storyboards over 50 accounts (concurrency cap 2, simulated latency), 20 %
// of them misbehaving; our scheduler against the naive baseline on a fresh simulator with the same seed.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpJimengGateway } from '../../src/jimeng/http-gateway';
import type { SessionBehaviourPatch, SimulatorConfigPatch } from '../../src/simulator';
import { mulberry32 } from '../../src/simulator/prng';
import { runBaseline, type BaselineAccount } from '../lib/baseline-scheduler';
import { expectedLatenciesMs, idealMakespanMs } from '../lib/ideal';
import { ratio, round, summarize } from '../lib/stats';
import { createAccounts } from '../support/api';
import { settle, submit } from '../support/pipeline';
import { startRuntimeProcess } from '../support/runtime';
import { runScenario, storyboardIds } from '../support/scenario';
import { startSimulatorProcess, type SimulatorProcess } from '../support/simulator';

const SEED = 7;
const TIME_SCALE = 0.001;
const CAP = 2;
const LATENCY = { image: { medianMs: 45_000, p95Ms: 180_000 } };

/** The pool: which accounts misbehave and how (20 % of 50). */
interface PoolAccount {
  name: string;
  sessionId: string;
  /** Site the account is registered on (its session prefix). */
  site: 'cn' | 'jp';
  trouble: 'none' | 'rate-limited' | 'no-credits' | 'wrong-site' | 'banned';
}

function pool(): PoolAccount[] {
  const trouble: PoolAccount['trouble'][] = [
    ...Array<PoolAccount['trouble']>(3).fill('rate-limited'),
    ...Array<PoolAccount['trouble']>(2).fill('no-credits'),
    ...Array<PoolAccount['trouble']>(2).fill('wrong-site'),
    ...Array<PoolAccount['trouble']>(3).fill('banned'),
  ];
  return Array.from({ length: 50 }, (_, i) => {
    const kind = i % 5 === 0 ? (trouble[i / 5] ?? 'none') : 'none';
    const bare = `pool${i}session0123456789abcdef`;
    return kind === 'wrong-site'
      ? { name: `pool-${i}`, sessionId: `jp-${bare}`, site: 'jp' as const, trouble: kind }
      : { name: `pool-${i}`, sessionId: bare, site: 'cn' as const, trouble: kind };
  });
}

const bareSession = (account: PoolAccount) => account.sessionId.replace(/^jp-/, '');

const BEHAVIOUR: Record<PoolAccount['trouble'], SessionBehaviourPatch | undefined> = {
  none: undefined,
  // One accepted submit a minute, 4013 for the rest.
  'rate-limited': { rpm: 1 },
  'no-credits': { credits: 0, autoGrant: false, claimRefused: true },
  // Registered on jp, known only on us: 1015 on every site we may try.
  'wrong-site': { sites: ['us'] },
  banned: { banned: true },
};

async function simulatorFor(accounts: readonly PoolAccount[]): Promise<SimulatorProcess> {
  const config: SimulatorConfigPatch = {
    timeScale: TIME_SCALE,
    seed: SEED,
    defaultBehaviour: { sites: ['cn'], credits: 1e9, concurrency: CAP, latency: LATENCY },
  };
  const simulator = await startSimulatorProcess(config);
  for (const account of accounts) {
    const behaviour = BEHAVIOUR[account.trouble];
    if (behaviour) await simulator.putSession(bareSession(account), behaviour);
  }
  return simulator;
}

async function ours(accounts: readonly PoolAccount[], total: number, timeoutMs: number) {
  const simulator = await simulatorFor(accounts);
  const dataDir = mkdtempSync(join(tmpdir(), 'jimeng-bench-pool-'));
  try {
    const runtime = await startRuntimeProcess({ profile: 'embedded', jimengBaseUrl: simulator.url, dataDir });
    let records;
    let submitStart: number;
    try {
      await createAccounts(
        runtime.baseUrl,
        accounts.map((a) => ({
          jimengAccount: a.name,
          sessionId: a.sessionId,
          concurrencyCap: CAP,
          // The simulator's own rate limit is the one to discover; ours must not bind first.
          rpmCap: 10_000,
        })),
      );
      const owner = { projectId: `pool-${Date.now().toString(36)}`, workId: 'pool', createBy: 'bench' };
      submitStart = Date.now();
      await submit(runtime.baseUrl, owner, storyboardIds('s', total), 100, 4);
      records = await settle(runtime.baseUrl, owner, total, timeoutMs);
    } finally {
      await runtime.stop();
    }
    const stats = await simulator.stats();
    const completed = records.filter((r) => r.generationStatus === 2 && r.completedAt);
    const makespanMs = Math.max(...completed.map((r) => Date.parse(r.completedAt!))) - submitStart;
    const db = new Database(join(dataDir, 'jimeng.db'), { readonly: true });
    const duplicated = (
      db
        .prepare(
          `SELECT count(*) AS n FROM (SELECT stream_id FROM es_events WHERE type = 'GenerationCompleted'
           GROUP BY stream_id HAVING count(*) > 1)`,
        )
        .get() as { n: number }
    ).n;
    db.close();
    return {
      makespanMs,
      completed: completed.length,
      failed: records.filter((r) => r.generationStatus === 3).length,
      lost: total - completed.length,
      duplicated,
      upstreamSuccesses: stats.totals.successes,
      capViolations: stats.totals.capViolations,
      rpmViolations: stats.totals.rpmViolations,
      upstreamCalls: stats.totals.calls,
      attempts: summarize(records.map((r) => r.attemptCount)),
    };
  } finally {
    await simulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function baseline(accounts: readonly PoolAccount[], total: number, deadlineMs: number) {
  const simulator = await simulatorFor(accounts);
  const gateway = new HttpJimengGateway({ baseUrl: simulator.url });
  try {
    const active: BaselineAccount[] = accounts.map((a) => ({
      id: a.name,
      session: { sessionId: bareSession(a), site: a.site },
    }));
    const report = await runBaseline(
      storyboardIds('s', total).map((storyboardId) => ({
        storyboardId,
        params: { prompt: `a rainy neon street, storyboard ${storyboardId}`, model: 'jimeng-4.5' },
      })),
      active,
      gateway,
      { random: mulberry32(SEED), maxAttemptsPerJob: 5_000, deadlineMs },
    );
    const stats = await simulator.stats();
    return {
      ...report,
      capViolations: stats.totals.capViolations,
      rpmViolations: stats.totals.rpmViolations,
      upstreamSuccesses: stats.totals.successes,
    };
  } finally {
    await gateway.close();
    await simulator.stop();
  }
}

runScenario(async ({ mode }) => {
  const total = mode === 'full' ? 2_000 : 200;
  const accounts = pool();
  const working = accounts.filter((a) => a.trouble === 'none').length;
  const ideal = idealMakespanMs(expectedLatenciesMs(total, LATENCY.image, TIME_SCALE, SEED), {
    workingAccounts: working,
    concurrencyCap: CAP,
  });
  const our = await ours(accounts, total, mode === 'full' ? 600_000 : 30_000);
  // The baseline gets a generous but finite time: it must end by itself.
  const naive = await baseline(accounts, total, Math.max(20_000, our.makespanMs * 10));
  const baselineIdeal = idealMakespanMs(naive.successLatenciesMs, {
    workingAccounts: working,
    concurrencyCap: CAP,
  });
  const { successLatenciesMs: _latencies, ...naiveShown } = naive;
  return {
    storyboards: total,
    accounts: accounts.length,
    workingAccounts: working,
    misbehaving: Object.fromEntries(
      (['rate-limited', 'no-credits', 'wrong-site', 'banned'] as const).map((t) => [
        t,
        accounts.filter((a) => a.trouble === t).length,
      ]),
    ),
    concurrencyCap: CAP,
    latency: { ...LATENCY.image, timeScale: TIME_SCALE, seed: SEED },
    makespanMs: our.makespanMs,
    idealMs: round(ideal),
    makespanOverIdeal: round(ratio(our.makespanMs, ideal) ?? Number.NaN, 3),
    baselineMakespanMs: naive.makespanMs,
    baselineOverOurs: round(ratio(naive.makespanMs, our.makespanMs) ?? Number.NaN, 3),
    capViolations: our.capViolations,
    lost: our.lost,
    duplicated: our.duplicated,
    ours: our,
    baseline: { ...naiveShown, idealFromItsCallsMs: round(baselineIdeal) },
    note: 'idealMs: the seeded draws of the simulator latency distribution summed / (working accounts x cap); lost = accepted - completed; duplicated = records with more than one GenerationCompleted; capViolations = simulator 4013 refusals for the concurrency cap',
  };
});
