import type { AccountStatus, AccountType, CapabilityStatus, GenerationKind, Site } from '../../events';
import type { RegisteredAccountState } from '../account/account-state';

/** What selection needs to know about one account at one instant. */
export interface PoolAccount {
  accountId: string;
  accountType: AccountType;
  siteType: Site;
  accountStatus: AccountStatus;
  deleted: boolean;
  priority: number;
  weight: number;
  concurrencyCap: number;
  rpmCap: number;
  dailyQuota: Record<GenerationKind, number | null>;
  capabilities: Record<GenerationKind, { status: CapabilityStatus; until?: string }>;
  /** Next quota reset, when known: a spent daily quota recovers then. */
  nextQuotaResetAt?: Date;
  usage: AccountUsage;
}

export interface AccountUsage {
  /** Attempts running on the account now (all kinds). */
  inFlight: number;
  /** Attempt start times; only those of the last 60 s matter. */
  recentStarts: readonly Date[];
  /** Generations of the current quota day. */
  usedToday: Record<GenerationKind, number>;
}

export const NO_USAGE: AccountUsage = { inFlight: 0, recentStarts: [], usedToday: { image: 0, video: 0 } };

export function poolAccountFromState(
  account: RegisteredAccountState,
  usage: AccountUsage = NO_USAGE,
): PoolAccount {
  return {
    accountId: account.accountId,
    accountType: account.accountType,
    siteType: account.siteType,
    accountStatus: account.accountStatus,
    deleted: account.deleted,
    priority: account.priority,
    weight: account.weight,
    concurrencyCap: account.concurrencyCap,
    rpmCap: account.rpmCap,
    dailyQuota: { image: account.dailyImageQuota, video: account.dailyVideoQuota },
    capabilities: account.capabilities,
    ...(account.nextQuotaResetAt === undefined
      ? {}
      : { nextQuotaResetAt: new Date(account.nextQuotaResetAt) }),
    usage,
  };
}
