export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter before delivery attempt `attempt` (2, 3, …): uniformly
 * random in [0, min(max, base · 2^(attempt-2))], so receivers recovering from an outage are not hit
 * by every sender at once.
 */
export function retryDelayMs(attempt: number, settings: BackoffSettings, random: () => number): number {
  if (attempt <= 1) return 0;
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(attempt - 2, 30));
  return Math.floor(random() * ceiling);
}
