import type { Clock } from '../ports/clock';
import { HttpError } from './error-codes';

export interface RateLimitOptions {
  /** Sustained requests per second per API key. */
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
}

/** A token bucket per API key, in process memory (per instance; the pool itself is the real limit). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: Clock,
  ) {}

  take(key: string): void {
    const now = this.clock.now().getTime();
    const { requestsPerSecond: rate, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
    throw new HttpError(
      'RATE_LIMITED',
      `more than ${rate} requests per second for this API key: retry in ${waitSeconds} s`,
      undefined,
      {
        'Retry-After': String(waitSeconds),
      },
    );
  }
}
