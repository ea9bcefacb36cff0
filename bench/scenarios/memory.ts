// Memory: peak resident memory of the runtime process while 10,000 storyboards are accepted and
// waiting or running (the simulator answers after real-time latencies, so nothing completes).
import { summarize } from '../lib/stats';
import { ALL_SITES, registerAccounts, submit } from '../support/pipeline';
import { startRuntimeProcess } from '../support/runtime';
import { runScenario, storyboardIds } from '../support/scenario';
import { startSimulatorProcess } from '../support/simulator';

runScenario(async ({ mode }) => {
  const jobs = mode === 'full' ? 10_000 : 2_000;
  const holdMs = mode === 'full' ? 15_000 : 1_000;
  const simulator = await startSimulatorProcess({
    timeScale: 1,
    seed: 1,
    defaultBehaviour: { sites: [...ALL_SITES], credits: 1e9, concurrency: 2 },
  });
  const runtime = await startRuntimeProcess({ profile: 'embedded', jimengBaseUrl: simulator.url }).catch(
    async (error) => {
      await simulator.stop();
      throw error;
    },
  );
  try {
    await registerAccounts(runtime.baseUrl, 50, { concurrencyCap: 2, rpmCap: 10_000 });
    const idle = await runtime.memory();
    await runtime.resetPeak();
    const owner = { projectId: `mem-${Date.now().toString(36)}`, workId: 'memory', createBy: 'bench' };
    const started = Date.now();
    await submit(runtime.baseUrl, owner, storyboardIds('m', jobs), 100, 4);
    const acceptSeconds = (Date.now() - started) / 1000;
    const samples: number[] = [];
    const until = Date.now() + holdMs;
    while (Date.now() < until) {
      samples.push((await runtime.memory()).rssMb);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const stats = await simulator.stats();
    const running = Object.values(stats.sessions).reduce((sum, s) => sum + s.inFlight, 0);
    const last = await runtime.memory();
    return {
      jobs,
      acceptSeconds: Math.round(acceptSeconds * 10) / 10,
      runningUpstream: running,
      holdSeconds: holdMs / 1000,
      peakRssMb: Math.round(last.peakRssMb),
      idleRssMb: Math.round(idle.rssMb),
      heapUsedMb: Math.round(last.heapUsedMb),
      rssDuringHoldMb: Math.round(summarize(samples).p50),
      note: 'runtime process only (the simulator runs in its own process); peak sampled every 25 ms from submission start to the end of the hold',
    };
  } finally {
    await runtime.stop();
    await simulator.stop();
  }
});
