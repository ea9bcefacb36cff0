import type {
  AccountCapabilityChangedData,
  AccountChanges,
  AccountStatus,
  AccountType,
  QuotaResetTime,
  Site,
} from '../../events';

export interface RegisterAccountData {
  accountId: string;
  jimengAccount: string;
  accountType: AccountType;
  /** Already sealed by the SecretBox; the decider never sees plaintext. */
  sealedSessionId: string;
  sessionHint: string;
  siteType: Site;
  sealedProxy?: string | null;
  priority?: number;
  weight?: number;
  concurrencyCap?: number;
  rpmCap?: number;
  dailyImageQuota?: number | null;
  dailyVideoQuota?: number | null;
  quotaResetTime?: QuotaResetTime;
  createBy: string;
  at: string;
}

export type RegisterAccount = { type: 'RegisterAccount'; data: RegisterAccountData };
export type UpdateAccount = {
  type: 'UpdateAccount';
  data: { accountId: string; changes: AccountChanges; updateBy: string; at: string };
};
export type DeleteAccount = {
  type: 'DeleteAccount';
  data: { accountId: string; updateBy: string; at: string };
};
export type ChangeAccountStatus = {
  type: 'ChangeAccountStatus';
  data: {
    accountId: string;
    to: AccountStatus;
    reason: string;
    upstreamCode?: string;
    message?: string;
    at: string;
  };
};
export type ChangeAccountCapability = { type: 'ChangeAccountCapability'; data: AccountCapabilityChangedData };
export type ResetAccountQuota = {
  type: 'ResetAccountQuota';
  data: {
    accountId: string;
    at: string;
    credits?: number;
    /** Reset even though this quota day was already reset (an admin's manual reset). */
    force?: boolean;
  };
};

export type AccountCommand =
  | RegisterAccount
  | UpdateAccount
  | DeleteAccount
  | ChangeAccountStatus
  | ChangeAccountCapability
  | ResetAccountQuota;

export const ACCOUNT_DEFAULTS = {
  priority: 0,
  weight: 1,
  concurrencyCap: 2,
  rpmCap: 10,
} as const;
