export interface WaitForOptions {
  timeoutMs: number;
  /** Pause between probes; 50 ms unless told. */
  intervalMs?: number;
  /** Says what was awaited; the timeout error starts with it. */
  message?: string;
}

/** Thrown by a probe to stop waiting at once (e.g. the server being awaited has exited). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

type Probe<T> = () => Promise<T | undefined | false | null> | T | undefined | false | null;

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws counts as
 * "not yet" (its last error is reported on timeout), except for `GiveUp`, which ends the wait.
 * Uses real timers: do not combine with jest fake timers.
 */
export async function waitFor<T>(probe: Probe<T>, options: WaitForOptions): Promise<T> {
  const { timeoutMs, intervalMs = 50, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(
        `Timed out after ${timeoutMs} ms (${attempts} probes) waiting for ${message}${reason}`,
        {
          cause: lastError,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}
