/** The targets the issue sets, checked against a results file. */
export interface Goal {
  key: string;
  /** `max`: the value must be at most `limit`; `min`: at least. */
  kind: 'max' | 'min';
  limit: number;
}

export const GOALS: Goal[] = [
  { key: 'intake.storyboardsPerSec', kind: 'min', limit: 20_000 },
  { key: 'intake.p99Ms', kind: 'max', limit: 50 },
  { key: 'overhead.p99Ms', kind: 'max', limit: 20 },
  { key: 'production.overhead.p99Ms', kind: 'max', limit: 150 },
  { key: 'pool.makespanOverIdeal', kind: 'max', limit: 1.1 },
  { key: 'pool.baselineOverOurs', kind: 'min', limit: 2 },
  { key: 'pool.capViolations', kind: 'max', limit: 0 },
  { key: 'pool.lost', kind: 'max', limit: 0 },
  { key: 'pool.duplicated', kind: 'max', limit: 0 },
  { key: 'read.p99Ms', kind: 'max', limit: 10 },
  { key: 'projection.p99LagMs', kind: 'max', limit: 100 },
  { key: 'memory.peakRssMb', kind: 'max', limit: 300 },
];

export function valueAt(results: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined,
      results,
    );
}

export type Verdict = 'met' | 'missed' | 'not measured';

export function verdict(goal: Goal, value: unknown): Verdict {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not measured';
  return (goal.kind === 'max' ? value <= goal.limit : value >= goal.limit) ? 'met' : 'missed';
}
