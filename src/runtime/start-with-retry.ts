export interface StartWithRetryOptions {
  /** How long failed starts are tried again before the last error is thrown (0: once). */
  retryForMs: number;
  /** Errors no retry can cure (bad configuration): thrown at once. */
  isPermanent: (error: unknown) => boolean;
  /** Told before each wait, so the operator sees what the process is waiting for. */
  onRetry: (error: unknown, attempt: number, delayMs: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** First wait; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Starts, and while a server the process needs (Kafka, MongoDB, EventStoreDB) is not reachable yet,
 * starts again with backoff: in a deployment the processes and servers come up in any order, and
 * a broker restart must not turn into a crash loop. A failed start leaves nothing behind (the
 * runtime closes what it opened), so trying again is safe.
 */
export async function startWithRetry<T>(start: () => Promise<T>, options: StartWithRetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.retryForMs;
  let delay = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (options.isPermanent(error) || now() + delay > deadline) throw error;
      options.onRetry(error, attempt, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}
