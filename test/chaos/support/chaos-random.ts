/**
 * The chaos runs draw their fault points from one seeded generator, so a failing run can be repeated
 * with CHAOS_SEED=<the seed it printed>.
 */
export interface ChaosRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function chaosRandom(seed = seedFromEnv()): ChaosRandom {
  // mulberry32: small, fast and good enough to spread fault points.
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

function seedFromEnv(): number {
  const given = Number(process.env['CHAOS_SEED']);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

/**
 * Where `count` faults strike in a run of `total` storyboards: one point drawn at random inside each
 * of `count` equal slices of [0, total), as a number of finished storyboards. Every fault thus lands
 * while work is outstanding, and the faults are spread over the whole run.
 */
export function faultPoints(total: number, count: number, random: ChaosRandom): number[] {
  const slice = total / count;
  return Array.from({ length: count }, (_, i) => Math.floor(i * slice + random.next() * slice * 0.9));
}
