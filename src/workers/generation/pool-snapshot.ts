import type { PoolAccount } from '../../commands';
import {
  accountStatusFromCode,
  capabilityStatusFromCode,
  siteFromCode,
  type CapabilityStatus,
} from '../../events';
import type { AccountLoad } from '../../ports/account-leases';
import type { AccountView } from '../../ports/read-models';

const RPM_WINDOW_MS = 60_000;

/**
 * What selection needs of one account: its read-model row and its live load from the lease store.
 * `busy` accounts (another worker took their last slot a moment ago) count as full for this round.
 */
export function poolAccountFromView(
  view: AccountView,
  load: AccountLoad | undefined,
  now: Date,
  busy = false,
): PoolAccount {
  const capability = (
    status: number,
    until: string | null,
  ): { status: CapabilityStatus; until?: string } => ({
    status: capabilityStatusFromCode(status),
    ...(until === null ? {} : { until }),
  });
  const inFlight = load?.inFlight ?? 0;
  return {
    accountId: view.id,
    accountType: view.jimengAccountType,
    siteType: siteFromCode(view.siteType),
    accountStatus: accountStatusFromCode(view.accountStatus),
    deleted: view.isDeleted,
    priority: view.priority,
    weight: view.weight,
    concurrencyCap: view.concurrencyCap,
    rpmCap: view.rpmCap,
    dailyQuota: { image: view.dailyImageQuota, video: view.dailyVideoQuota },
    capabilities: {
      image: capability(view.imageGenerationStatus, view.imageUnavailableUntil),
      video: capability(view.videoGenerationStatus, view.videoUnavailableUntil),
    },
    ...(view.nextQuotaResetAt ? { nextQuotaResetAt: new Date(view.nextQuotaResetAt) } : {}),
    usage: {
      inFlight: busy ? Math.max(inFlight, view.concurrencyCap) : inFlight,
      recentStarts: recentStarts(load, now),
      usedToday: { image: view.imageUsedToday, video: view.videoUsedToday },
    },
  };
}

/**
 * The lease store reports a count and, when the rpm cap is reached, when a start frees up; selection
 * wants start times. Starts placed one window before `rpmFreeAt` give selection exactly that
 * recovery time; otherwise "now" is as good as any instant inside the window.
 */
function recentStarts(load: AccountLoad | undefined, now: Date): Date[] {
  if (load === undefined || load.startsLastMinute === 0) return [];
  const at = load.rpmFreeAt === null ? now : new Date(load.rpmFreeAt.getTime() - RPM_WINDOW_MS);
  return Array.from({ length: load.startsLastMinute }, () => at);
}
