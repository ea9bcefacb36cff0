/**
 * Optimistic writes (compare-and-set on a version or position) retry after losing a race. The
 * bound turns a livelock into an error; the short random pause spreads racers apart so one wins
 * each round.
 */
export async function pauseBeforeRetry(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(2 + attempt * 2, 25);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export class ContentionError extends Error {
  override name = 'ContentionError';
}
