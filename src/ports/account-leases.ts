/**
 * Atomic reservation of an account's capacity across every worker instance (pool-lessons #4, #9):
 * a lease is granted only while the account's live leases are under its concurrency cap and its
 * lease starts in the last minute are under its requests-per-minute cap, in one atomic operation of
 * the shared store. Leases expire unless renewed, so a dead worker's capacity comes back by itself.
 */
export interface LeaseRequest {
  accountId: string;
  /** The attempt this lease serves: `${recordId}:${attempt}`. */
  holder: string;
  concurrencyCap: number;
  rpmCap: number;
  ttlMs: number;
  now: Date;
}

export interface Lease {
  leaseId: string;
  accountId: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export interface AccountLoad {
  accountId: string;
  inFlight: number;
  startsLastMinute: number;
  /** When the oldest start of the last minute leaves the window, if the rpm cap is reached. */
  rpmFreeAt: Date | null;
}

export interface AccountLeases {
  tryAcquire(request: LeaseRequest): Promise<Lease | null>;
  renew(leaseId: string, expiresAt: Date): Promise<boolean>;
  release(leaseId: string): Promise<void>;
  /** Live load of every account with leases or recent starts. */
  load(now: Date): Promise<Map<string, AccountLoad>>;
  /** Leases whose expiry passed without renewal (their worker died or hung). */
  expired(now: Date): Promise<Lease[]>;
}

export const ACCOUNT_LEASES = Symbol.for('AccountLeases');
