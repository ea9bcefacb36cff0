import type {
  AccountCapabilityChangedData,
  AccountChanges,
  AccountRegisteredData,
  AccountStatus,
} from '../../events';

/** Settings the decider fills in with the account defaults when a registration leaves them out. */
type DefaultedSetting =
  | 'sealedProxy'
  | 'priority'
  | 'weight'
  | 'concurrencyCap'
  | 'rpmCap'
  | 'dailyImageQuota'
  | 'dailyVideoQuota'
  | 'quotaResetTime';

/**
 * AccountRegistered's data, defaults optional. The session id is already sealed by the SecretBox:
 * the decider never sees plaintext.
 */
export type RegisterAccountData = Omit<AccountRegisteredData, DefaultedSetting> &
  Partial<Pick<AccountRegisteredData, DefaultedSetting>>;

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
