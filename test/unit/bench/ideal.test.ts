import { expectedLatenciesMs, idealMakespanMs } from '../../../bench/lib/ideal';

describe('ideal makespan of the pool scenario', () => {
  it('spreads the total work over working accounts times their cap', () => {
    // 80 jobs of 100 ms on 4 accounts x 2 slots: 8000 / 8 = 1000 ms.
    const latencies = Array.from({ length: 80 }, () => 100);
    expect(idealMakespanMs(latencies, { workingAccounts: 4, concurrencyCap: 2 })).toBe(1000);
  });

  it('is never shorter than the longest single job', () => {
    expect(idealMakespanMs([10, 10, 500], { workingAccounts: 40, concurrencyCap: 2 })).toBe(500);
  });

  it('refuses a pool without working capacity', () => {
    expect(() => idealMakespanMs([1], { workingAccounts: 0, concurrencyCap: 2 })).toThrow(RangeError);
  });

  it('draws the simulator latency distribution reproducibly, scaled like the simulator', () => {
    const distribution = { medianMs: 45_000, p95Ms: 180_000 };
    const a = expectedLatenciesMs(2_000, distribution, 0.001, 7);
    expect(expectedLatenciesMs(2_000, distribution, 0.001, 7)).toEqual(a);
    const sorted = [...a].sort((x, y) => x - y);
    // Median near 45 ms, 95th percentile near 180 ms, none above the simulator's cap (4 x p95).
    expect(sorted[1_000]).toBeGreaterThan(40);
    expect(sorted[1_000]).toBeLessThan(50);
    expect(sorted[1_900]).toBeGreaterThan(150);
    expect(sorted[1_900]).toBeLessThan(210);
    expect(sorted[1_999]).toBeLessThanOrEqual(720);
  });
});
