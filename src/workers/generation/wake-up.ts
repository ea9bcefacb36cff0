export type SleepEnd = 'elapsed' | 'woken' | 'aborted';

/**
 * Waits that end early: on a wake-up (an attempt of this process ended, so capacity may be free) or
 * when a signal aborts (shutdown). Every waiter of one wake-up is released together.
 */
export class WakeUp {
  private waiters = new Set<(end: SleepEnd) => void>();

  wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve('woken');
  }

  /** Resolves after `ms`, on the next wake(), or when `signal` aborts, whichever comes first. */
  sleep(ms: number, signal?: AbortSignal): Promise<SleepEnd> {
    if (signal?.aborted) return Promise.resolve('aborted');
    if (ms <= 0) return Promise.resolve('elapsed');
    return new Promise((resolve) => {
      const done = (end: SleepEnd): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(end);
      };
      const onAbort = (): void => done('aborted');
      const timer = setTimeout(() => done('elapsed'), ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
