/** A named lock with expiry, so one relay at a time publishes (two would reorder the topics). */
export interface Locks {
  /** Takes or renews the lock for `owner` until now + ttl; false when another owner holds it. */
  acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export const LOCKS = Symbol.for('Locks');
