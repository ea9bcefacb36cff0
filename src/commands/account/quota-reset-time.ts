import type { QuotaResetTime } from '../../events';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first instant strictly after `now` at which the zone's clock shows the reset time of day. */
export function nextQuotaResetAt(now: Date, resetTime: QuotaResetTime): Date {
  const [hours, minutes] = resetTime.timeOfDay.split(':').map(Number) as [number, number];
  const offsetMs = resetTime.utcOffsetMinutes * 60_000;
  const local = now.getTime() + offsetMs;
  const localMidnight = Math.floor(local / DAY_MS) * DAY_MS;
  let candidate = localMidnight + (hours * 60 + minutes) * 60_000;
  if (candidate <= local) candidate += DAY_MS;
  return new Date(candidate - offsetMs);
}

/** Start of the quota day that contains `now`. */
export function currentQuotaPeriodStart(now: Date, resetTime: QuotaResetTime): Date {
  return new Date(nextQuotaResetAt(now, resetTime).getTime() - DAY_MS);
}
