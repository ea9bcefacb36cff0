import type { AccountLoad, LeaseRequest } from '../../ports/account-leases';

/** The requests-per-minute cap counts lease starts in this sliding window. */
export const RPM_WINDOW_MS = 60_000;

/** A start at `startedAt` counts at `now` while it is strictly inside the last minute. */
export function inRpmWindow(startedAt: number, now: number): boolean {
  return startedAt > now - RPM_WINDOW_MS;
}

/** A lease holds capacity while its expiry is in the future. */
export function isLive(expiresAt: number, now: number): boolean {
  return expiresAt > now;
}

export function checkLeaseRequest(request: LeaseRequest): void {
  if (typeof request.accountId !== 'string' || request.accountId === '') {
    throw new TypeError('accountId must be a non-empty string');
  }
  if (typeof request.holder !== 'string') throw new TypeError('holder must be a string');
  for (const [name, value] of [
    ['concurrencyCap', request.concurrencyCap],
    ['rpmCap', request.rpmCap],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0`);
  }
  if (!Number.isFinite(request.ttlMs) || request.ttlMs <= 0) throw new RangeError('ttlMs must be > 0');
  if (!(request.now instanceof Date) || Number.isNaN(request.now.getTime())) {
    throw new TypeError('now must be a valid Date');
  }
}

/**
 * An account's load from its live lease count and its starts in the window (ascending). When the
 * rpm cap last asked for is reached, `rpmFreeAt` is when enough starts have left the window for the
 * count to drop below the cap.
 */
export function accountLoad(
  accountId: string,
  inFlight: number,
  startsAscending: number[],
  rpmCap: number | null,
): AccountLoad {
  const reached = rpmCap !== null && rpmCap > 0 && startsAscending.length >= rpmCap;
  return {
    accountId,
    inFlight,
    startsLastMinute: startsAscending.length,
    rpmFreeAt: reached ? new Date(startsAscending[startsAscending.length - rpmCap] + RPM_WINDOW_MS) : null,
  };
}
