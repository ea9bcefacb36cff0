// Overhead: the simulator answers at once (timeScale 0); what is left is the orchestrator's own
// time from a storyboard's acceptance to its completion, and its end-to-end throughput.
import { summarize } from '../lib/stats';
import { ALL_SITES, registerAccounts, settle, submit } from '../support/pipeline';
import { startRuntimeProcess } from '../support/runtime';
import { productionEnv, runScenario, storyboardIds } from '../support/scenario';
import { startSimulatorProcess } from '../support/simulator';

runScenario(async ({ mode, profile, cpuProfileDir }) => {
  // The production profile is far slower end to end (see the report); fewer storyboards keep it bounded.
  const total = mode === 'quick' ? 300 : profile === 'production' ? 300 : 5_000;
  const simulator = await startSimulatorProcess({
    timeScale: 0,
    seed: 1,
    defaultBehaviour: { sites: [...ALL_SITES], credits: 1e9 },
  });
  const runtime = await startRuntimeProcess({
    profile,
    jimengBaseUrl: simulator.url,
    ...(profile === 'production' ? { env: productionEnv() } : {}),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  }).catch(async (error) => {
    await simulator.stop();
    throw error;
  });
  try {
    // Caps far above the load: only the orchestrator's own work is measured.
    await registerAccounts(runtime.baseUrl, 20, { concurrencyCap: 100, rpmCap: 10_000 });
    const run = Date.now().toString(36);
    const settleMs = mode === 'full' ? 240_000 : 30_000;

    // 1. Burst: everything at once, for end-to-end throughput.
    const burstOwner = { projectId: `burst-${run}`, workId: 'burst', createBy: 'bench' };
    const burstStart = Date.now();
    await submit(runtime.baseUrl, burstOwner, storyboardIds('b', total), 100, 4);
    const burst = await settle(runtime.baseUrl, burstOwner, total, settleMs, { partialOnTimeout: true });
    const burstDone = burst.filter((r) => r.completedAt).length;
    // Unfinished after the time allowed: the rate of what did finish, over the whole wait.
    const lastCompletion =
      burstDone === total ? Math.max(...burst.map((r) => Date.parse(r.completedAt!))) : burstStart + settleMs;
    const storyboardsPerSec = burstDone / ((lastCompletion - burstStart) / 1000);
    const burstLatency = summarize(
      burst.filter((r) => r.completedAt).map((r) => Date.parse(r.completedAt!) - Date.parse(r.createdAt)),
    );

    // 2. Paced at half the burst throughput in batches of 10: the per-storyboard overhead
    // without a backlog in front of it.
    const pacedOwner = { projectId: `paced-${run}`, workId: 'paced', createBy: 'bench' };
    // A quarter of the burst throughput, at most 50/s: the burst rate itself is not sustained
    // once the lease store holds a minute of starts (see the report), and a backlog would be measured
    // instead of the overhead.
    const pacedRate = Math.max(5, Math.min(50, Math.floor(storyboardsPerSec / 4)));
    const answered = await submit(runtime.baseUrl, pacedOwner, storyboardIds('p', total), 10, 4, {
      batchesPerSec: pacedRate / 10,
    });
    const paced = await settle(runtime.baseUrl, pacedOwner, total, settleMs, { partialOnTimeout: true });
    const completed = paced.filter((r) => r.generationStatus === 2 && r.completedAt);
    const fromAccept = summarize(completed.map((r) => Date.parse(r.completedAt!) - Date.parse(r.createdAt)));
    const fromAnswer = summarize(
      completed.map((r) => Math.max(0, Date.parse(r.completedAt!) - answered.get(r.storyboardId)!)),
    );
    const memory = await runtime.memory();
    return {
      storyboards: total,
      burstUnfinished: total - burstDone,
      pacedUnfinished: total - completed.length,
      storyboardsPerSec: Math.round(storyboardsPerSec),
      p50Ms: fromAccept.p50,
      p99Ms: fromAccept.p99,
      maxMs: fromAccept.max,
      pacedStoryboardsPerSec: pacedRate,
      fromAnswerP50Ms: fromAnswer.p50,
      fromAnswerP99Ms: fromAnswer.p99,
      burstP50Ms: burstLatency.p50,
      burstP99Ms: burstLatency.p99,
      failed: [...burst, ...paced].filter((r) => r.generationStatus === 3).length,
      failedBy: tally(
        [...burst, ...paced].filter((r) => r.generationStatus === 3).map((r) => r.errorCode ?? '?'),
      ),
      note: 'p50/p99: record completedAt - createdAt at the paced rate (a quarter of the burst throughput, at most 50/s, batches of 10); storyboardsPerSec: a burst of all storyboards, first request to last completion',
      runtimeRssMb: Math.round(memory.peakRssMb),
    };
  } finally {
    await runtime.stop();
    await simulator.stop();
  }
});

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
