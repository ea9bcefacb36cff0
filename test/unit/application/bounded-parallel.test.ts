import { mapBounded } from '../../../src/application/bounded-parallel';

describe('mapBounded', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < value; i++) await Promise.resolve();
      running--;
      return value * 10;
    });

    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it('handles an empty list and a limit larger than the list', async () => {
    expect(await mapBounded([], 16, async () => 1)).toEqual([]);
    expect(await mapBounded([1, 2], 16, async (v) => v)).toEqual([1, 2]);
  });
});
