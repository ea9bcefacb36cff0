import { ConfigError } from '../../../src/config/config';
import { startWithRetry, type StartWithRetryOptions } from '../../../src/runtime/start-with-retry';

/** A clock that the retry's own waits move forward. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });

/** A start that always throws `error`, retried under `options`; counts the starts. */
function alwaysFailing(error: () => Error, options: Partial<StartWithRetryOptions>) {
  const time = fakeTime();
  let starts = 0;
  const result = startWithRetry(
    async () => {
      starts += 1;
      throw error();
    },
    { retryForMs: 60_000, isPermanent: () => false, onRetry: () => undefined, ...time, ...options },
  );
  return { time, result, starts: () => starts };
}

describe('starting while a server is not reachable yet', () => {
  it('starts again with growing waits until the server answers', async () => {
    // Given a server that answers from the fourth start on
    const time = fakeTime();
    let starts = 0;
    const retries: number[] = [];

    // When the process starts
    const result = await startWithRetry(
      async () => {
        starts += 1;
        if (starts < 4) throw refused();
        return 'running';
      },
      {
        retryForMs: 60_000,
        isPermanent: () => false,
        onRetry: (_e, attempt) => retries.push(attempt),
        ...time,
      },
    );

    // Then it is running after three told retries, each wait longer than the one before
    expect(result).toBe('running');
    expect(retries).toEqual([1, 2, 3]);
    expect(time.waits).toEqual([500, 1_000, 2_000]);
  });

  it('caps the wait and gives up with the last error once the retry window is spent', async () => {
    // Given a server that never answers and a 20 s window
    const { time, result, starts } = alwaysFailing(refused, { retryForMs: 20_000 });

    // When the process starts, then it fails with the server's error, not sooner than the window
    await expect(result).rejects.toThrow('ECONNREFUSED');
    expect(Math.max(...time.waits)).toBe(5_000);
    expect(time.now()).toBeLessThanOrEqual(20_000);
    expect(time.now() + 5_000).toBeGreaterThan(20_000);
    expect(starts()).toBe(time.waits.length + 1);
  });

  it('does not retry what no wait can cure (bad configuration)', async () => {
    // Given a start that fails on configuration
    const { time, result, starts } = alwaysFailing(
      () => new ConfigError('CALLBACK_SECRET is required to sign callbacks'),
      { isPermanent: (e) => e instanceof ConfigError },
    );

    // When the process starts, then it fails at once
    await expect(result).rejects.toThrow('CALLBACK_SECRET');
    expect(starts()).toBe(1);
    expect(time.waits).toEqual([]);
  });

  it('starts once when the window is 0 (the embedded profile)', async () => {
    const { time, result, starts } = alwaysFailing(refused, { retryForMs: 0 });

    await expect(result).rejects.toThrow('ECONNREFUSED');
    expect(starts()).toBe(1);
    expect(time.waits).toEqual([]);
  });
});
