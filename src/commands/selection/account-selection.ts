import type { GenerationKind, Site } from '../../events';
import type { SitePair } from '../generation/generation-slot-state';
import type { PoolAccount } from './pool-account';
import { DEFAULT_SITE_FALLBACK_ORDER, sitesForAccount } from './site-order';

export const RPM_WINDOW_MS = 60_000;
/** How soon to look again when only concurrency blocks (a slot frees at an unknown time). */
export const DEFAULT_CONCURRENCY_POLL_MS = 1_000;

export type SiteSupportsModel = (kind: GenerationKind, model: string, site: Site) => boolean;

export interface SelectionContext {
  kind: GenerationKind;
  model: string;
  now: Date;
  /** (account, site) pairs this job already failed on. */
  exclusions: readonly SitePair[];
  /** Accounts this job must not use on any site. */
  excludedAccounts?: readonly string[];
  /** Try this account first when it is eligible in the best tier (its next site after a mismatch). */
  preferAccountId?: string;
}

export interface SelectionOptions {
  siteSupportsModel: SiteSupportsModel;
  /** Uniform in [0, 1). */
  random: () => number;
  fallbackOrder?: readonly Site[];
  concurrencyPollMs?: number;
}

export type SelectionResult =
  | { type: 'selected'; accountId: string; site: Site }
  | { type: 'wait'; waitUntil: Date }
  | { type: 'none'; reason: string };

type Eligibility = { now: true; site: Site } | { now: false; recoversAt: number } | { never: string };

/**
 * Picks an (account, site) for a job: eligible accounts of the highest priority tier that has one,
 * weighted random among them, each on its best site the job has not failed on. When none is
 * eligible now but one will be, says when to look again.
 */
export function selectAccount(
  pool: readonly PoolAccount[],
  context: SelectionContext,
  options: SelectionOptions,
): SelectionResult {
  const candidates: { account: PoolAccount; site: Site }[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  const reasons = new Set<string>();
  for (const account of pool) {
    const eligibility = evaluate(account, context, options);
    if ('never' in eligibility) reasons.add(eligibility.never);
    else if (eligibility.now) candidates.push({ account, site: eligibility.site });
    else earliest = Math.min(earliest, eligibility.recoversAt);
  }
  if (candidates.length > 0) {
    const topPriority = Math.max(...candidates.map((c) => c.account.priority));
    const tier = candidates.filter((c) => c.account.priority === topPriority);
    const chosen =
      tier.find((c) => c.account.accountId === context.preferAccountId) ?? weightedPick(tier, options.random);
    return { type: 'selected', accountId: chosen.account.accountId, site: chosen.site };
  }
  if (earliest !== Number.POSITIVE_INFINITY) return { type: 'wait', waitUntil: new Date(earliest) };
  return {
    type: 'none',
    reason:
      pool.length === 0 ? 'the pool is empty' : `no eligible account (${[...reasons].sort().join(', ')})`,
  };
}

function evaluate(account: PoolAccount, context: SelectionContext, options: SelectionOptions): Eligibility {
  const { kind, now } = context;
  if (account.deleted) return { never: 'deleted' };
  if (account.accountStatus !== 'active') return { never: account.accountStatus };
  if (context.excludedAccounts?.includes(account.accountId)) return { never: 'failed in this job' };
  const site = sitesForAccount(account, options.fallbackOrder ?? DEFAULT_SITE_FALLBACK_ORDER).find(
    (s) =>
      options.siteSupportsModel(kind, context.model, s) &&
      !context.exclusions.some((pair) => pair.accountId === account.accountId && pair.site === s),
  );
  if (site === undefined) return { never: 'no usable site' };

  // Every limit that blocks must clear, so the account recovers at the latest of them.
  const nowMs = now.getTime();
  let recoversAt = nowMs;
  const capability = account.capabilities[kind];
  if (capability.status !== 'available') {
    const until = capability.until === undefined ? undefined : Date.parse(capability.until);
    if (until === undefined) return { never: `${kind} unavailable` };
    recoversAt = Math.max(recoversAt, until);
  }
  const quota = account.dailyQuota[kind];
  if (quota !== null && account.usage.usedToday[kind] >= quota) {
    if (account.nextQuotaResetAt === undefined) return { never: 'daily quota spent' };
    recoversAt = Math.max(recoversAt, account.nextQuotaResetAt.getTime());
  }
  const windowStarts = account.usage.recentStarts
    .map((d) => d.getTime())
    .filter((t) => t <= nowMs && nowMs - t < RPM_WINDOW_MS)
    .sort((a, b) => a - b);
  if (windowStarts.length >= account.rpmCap) {
    // Once the oldest (count - cap + 1) starts leave the window, one more start fits.
    recoversAt = Math.max(recoversAt, windowStarts[windowStarts.length - account.rpmCap]! + RPM_WINDOW_MS);
  }
  if (account.usage.inFlight >= account.concurrencyCap) {
    recoversAt = Math.max(recoversAt, nowMs + (options.concurrencyPollMs ?? DEFAULT_CONCURRENCY_POLL_MS));
  }
  return recoversAt <= nowMs ? { now: true, site } : { now: false, recoversAt };
}

function weightedPick<T extends { account: PoolAccount }>(tier: readonly T[], random: () => number): T {
  const weights = tier.map((c) => Math.max(c.account.weight, 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return tier[Math.min(Math.floor(random() * tier.length), tier.length - 1)]!;
  let point = random() * total;
  for (let i = 0; i < tier.length; i++) {
    point -= weights[i]!;
    if (point < 0 && weights[i]! > 0) return tier[i]!;
  }
  // Rounding at the top end: the last account with weight.
  let last = tier.length - 1;
  while (weights[last] === 0) last--;
  return tier[last]!;
}
