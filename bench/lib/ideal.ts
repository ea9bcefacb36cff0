/**
 * The pool scenario's lower bound on makespan: the work (the sum of the generations' latencies)
 * spread perfectly over the capacity of the accounts that can work (accounts × concurrency cap),
 * and never shorter than the longest single generation.
 */
import { mulberry32, sampleLatencyMs, type LatencyDistribution } from '../../src/simulator/prng';

export interface Capacity {
  workingAccounts: number;
  concurrencyCap: number;
}

export function idealMakespanMs(latenciesMs: readonly number[], capacity: Capacity): number {
  const slots = capacity.workingAccounts * capacity.concurrencyCap;
  if (!(slots > 0)) throw new RangeError('the ideal needs at least one working slot');
  let total = 0;
  let longest = 0;
  for (const latency of latenciesMs) {
    total += latency;
    longest = Math.max(longest, latency);
  }
  return Math.max(total / slots, longest);
}

/**
 * The latencies the simulator would draw for `jobs` generations with this seed and distribution,
 * scaled like the simulator scales them. The simulator interleaves other draws (failures, file
 * names), so this is the same distribution rather than the same numbers: a common yardstick for
 * our scheduler and the baseline alike.
 */
export function expectedLatenciesMs(
  jobs: number,
  distribution: LatencyDistribution,
  timeScale: number,
  seed: number,
): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: jobs }, () => sampleLatencyMs(distribution, random) * timeScale);
}
