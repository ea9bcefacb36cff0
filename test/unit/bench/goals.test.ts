import { GOALS, valueAt, verdict } from '../../../bench/goals';

describe('bench goals', () => {
  it('reads nested keys of a results file', () => {
    expect(valueAt({ production: { overhead: { p99Ms: 12 } } }, 'production.overhead.p99Ms')).toBe(12);
    expect(valueAt({ pool: {} }, 'pool.lost')).toBeUndefined();
  });

  it('meets a maximum at the limit and misses above it; a minimum the other way round', () => {
    const lost = GOALS.find((g) => g.key === 'pool.lost')!;
    const intake = GOALS.find((g) => g.key === 'intake.storyboardsPerSec')!;
    expect(verdict(lost, 0)).toBe('met');
    expect(verdict(lost, 1)).toBe('missed');
    expect(verdict(intake, 20_000)).toBe('met');
    expect(verdict(intake, 19_999)).toBe('missed');
  });

  it('says a value that is absent or not a number was not measured', () => {
    expect(verdict(GOALS[0]!, undefined)).toBe('not measured');
    expect(verdict(GOALS[0]!, Number.NaN)).toBe('not measured');
  });
});
