// Child process: one orchestrator runtime (startRuntime with the environment's configuration),
// sampling its own resident memory so the memory scenario measures this process alone.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/config';
import { startRuntime } from '../../src/runtime/start-runtime';
import { serveParent } from './child';

const MB = 1024 * 1024;

async function main(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 25);
  const runtime = await startRuntime(loadConfig(process.env), { announceApiKey: () => undefined });
  const memory = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    return {
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
      peakRssMb: peakRss / MB,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: loopDelay.max / 1e6,
    };
  };
  serveParent({
    memory: async () => ({ type: 'memory', ...memory() }),
    resetPeak: async () => {
      peakRss = process.memoryUsage().rss;
      loopDelay.reset();
      return { type: 'peakReset' };
    },
    stop: async () => {
      const last = memory();
      clearInterval(sampler);
      await runtime.stop({ graceMs: 0 });
      return { type: 'stopped', ...last };
    },
  });
  process.send?.({ type: 'ready', port: runtime.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
