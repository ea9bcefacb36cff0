import { percentile, ratio, round, summarize } from '../../../bench/lib/stats';

describe('bench percentiles (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('answers a value that was seen: p50 of 1..100 is 50, p99 is 99, p100 is 100', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('answers the smallest value for p0 and the only value of a single sample', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it('rounds the rank up: p99 of ten values is the largest', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('is NaN without values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
    expect(() => percentile(hundred, -1)).toThrow(RangeError);
  });

  it('summarizes unsorted values numerically (not as text)', () => {
    const summary = summarize([10, 9, 100, 1, 2]);
    expect(summary).toMatchObject({ count: 5, min: 1, max: 100, p50: 9, p99: 100, mean: 24.4 });
  });

  it('tells no ratio when the divisor is 0, and rounds to the asked digits', () => {
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(3, 2)).toBe(1.5);
    expect(round(1.23456, 3)).toBe(1.235);
  });
});
