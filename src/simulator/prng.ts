// Seeded randomness, so a simulated run can be replayed exactly.

export type Random = () => number;

/** mulberry32: a 32-bit state PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LatencyDistribution {
  medianMs: number;
  p95Ms: number;
}

const Z_95 = 1.6448536269514722;

/**
 * A lognormal draw with the given median and 95th percentile (long right tail, like real queues).
 * Capped at four times the p95 so one unlucky draw cannot stall a test run.
 */
export function sampleLatencyMs(distribution: LatencyDistribution, random: Random): number {
  const { medianMs, p95Ms } = distribution;
  if (medianMs <= 0) return 0;
  const sigma = p95Ms > medianMs ? Math.log(p95Ms / medianMs) / Z_95 : 0;
  const u1 = 1 - random();
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(medianMs * Math.exp(sigma * z), Math.max(p95Ms, medianMs) * 4);
}
