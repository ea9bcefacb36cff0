// Overhead: the simulator answers at once (timeScale 0); what is left is the orchestrator's own
// time from a storyboard's acceptance to its completion, and its end-to-end throughput.
import { summarize } from '../lib/stats';
import { ALL_SITES, registerAccounts, settle, submit } from '../support/pipeline';
import { startRuntimeProcess } from '../support/runtime';
import { productionEnv, runScenario, storyboardIds } from '../support/scenario';
import { startSimulatorProcess } from '../support/simulator';

runScenario(async ({ mode, profile, cpuProfileDir }) => {
  const total = mode === 'full' ? 5_000 : 300;
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
    const settleMs = mode === 'full' ? 300_000 : 30_000;

    // 1. Burst: everything at once, for end-to-end throughput.
    const burstOwner = { projectId: `burst-${run}`, workId: 'burst', createBy: 'bench' };
    const burstStart = Date.now();
    await submit(runtime.baseUrl, burstOwner, storyboardIds('b', total), 100, 4);
    const burst = await settle(runtime.baseUrl, burstOwner, total, settleMs);
    const lastCompletion = Math.max(...burst.map((r) => Date.parse(r.completedAt ?? r.createdAt)));
    const storyboardsPerSec = total / ((lastCompletion - burstStart) / 1000);
    const burstLatency = summarize(
      burst.filter((r) => r.completedAt).map((r) => Date.parse(r.completedAt!) - Date.parse(r.createdAt)),
    );

    // 2. Paced at half the burst throughput in batches of 10: the per-storyboard overhead
    // without a backlog in front of it.
    const pacedOwner = { projectId: `paced-${run}`, workId: 'paced', createBy: 'bench' };
    const pacedRate = Math.max(10, Math.floor(storyboardsPerSec / 2));
    const answered = await submit(runtime.baseUrl, pacedOwner, storyboardIds('p', total), 10, 4, {
      batchesPerSec: pacedRate / 10,
    });
    const paced = await settle(runtime.baseUrl, pacedOwner, total, settleMs);
    const completed = paced.filter((r) => r.generationStatus === 2 && r.completedAt);
    const fromAccept = summarize(completed.map((r) => Date.parse(r.completedAt!) - Date.parse(r.createdAt)));
    const fromAnswer = summarize(
      completed.map((r) => Math.max(0, Date.parse(r.completedAt!) - answered.get(r.storyboardId)!)),
    );
    const memory = await runtime.memory();
    return {
      storyboards: total,
      storyboardsPerSec: Math.round(storyboardsPerSec),
      p50Ms: fromAccept.p50,
      p99Ms: fromAccept.p99,
      maxMs: fromAccept.max,
      pacedStoryboardsPerSec: pacedRate,
      fromAnswerP50Ms: fromAnswer.p50,
      fromAnswerP99Ms: fromAnswer.p99,
      burstP50Ms: burstLatency.p50,
      burstP99Ms: burstLatency.p99,
      failed:
        burst.length + paced.length - burst.filter((r) => r.generationStatus === 2).length - completed.length,
      note: 'p50/p99: record completedAt - createdAt at the paced rate (half the burst throughput, batches of 10); storyboardsPerSec: a burst of all storyboards, first request to last completion',
      runtimeRssMb: Math.round(memory.peakRssMb),
    };
  } finally {
    await runtime.stop();
    await simulator.stop();
  }
});
