import {
  DEFAULT_QUOTA_RESET_TIME,
  GENERATION_KINDS,
  siteFitsAccountType,
  type AccountCapabilityChanged,
  type AccountChanges,
  type AccountEvent,
  type AccountType,
  type Site,
} from '../../events';
import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import { ACCOUNT_DEFAULTS, type AccountCommand, type RegisterAccountData } from './account-commands';
import {
  evolveAccount,
  initialAccountState,
  type AccountState,
  type RegisteredAccountState,
} from './account-state';
import { nextQuotaResetAt } from './quota-reset-time';

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === 'RegisterAccount') return register(command.data, state);
  const account = requireAccount(state, command.data.accountId);
  if (command.type === 'DeleteAccount') {
    return account.deleted ? [] : [{ type: 'AccountDeleted', data: command.data }];
  }
  if (account.deleted) {
    throw new DomainError('ACCOUNT_DELETED', `account ${account.accountId} is deleted`, {
      accountId: account.accountId,
    });
  }
  switch (command.type) {
    case 'UpdateAccount': {
      const changes = effectiveChanges(account, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      assertSiteFits(changes.siteType ?? account.siteType, changes.accountType ?? account.accountType);
      return [{ type: 'AccountUpdated', data: { ...command.data, changes } }];
    }
    case 'ChangeAccountStatus': {
      const { to, ...rest } = command.data;
      if (account.accountStatus === to) return [];
      return [{ type: 'AccountStatusChanged', data: { ...rest, from: account.accountStatus, to } }];
    }
    case 'ChangeAccountCapability': {
      const { kind, status, until, strikes } = command.data;
      if (status === 'rate_limited' && until === undefined) {
        throw new DomainError('VALIDATION_FAILED', 'a rate limit needs its end (until)');
      }
      const current = account.capabilities[kind];
      const unchanged =
        current.status === status &&
        current.until === until &&
        (strikes === undefined || current.strikes === strikes);
      return unchanged ? [] : [{ type: 'AccountCapabilityChanged', data: command.data }];
    }
    case 'ResetAccountQuota':
      return resetQuota(account, command.data);
  }
}

function register(data: RegisterAccountData, state: AccountState): AccountEvent[] {
  if (state.exists) {
    throw new DomainError('ACCOUNT_EXISTS', `account ${data.accountId} already exists`, {
      accountId: data.accountId,
    });
  }
  assertSiteFits(data.siteType, data.accountType);
  return [
    {
      type: 'AccountRegistered',
      data: {
        ...data,
        sealedProxy: data.sealedProxy ?? null,
        priority: data.priority ?? ACCOUNT_DEFAULTS.priority,
        weight: data.weight ?? ACCOUNT_DEFAULTS.weight,
        concurrencyCap: data.concurrencyCap ?? ACCOUNT_DEFAULTS.concurrencyCap,
        rpmCap: data.rpmCap ?? ACCOUNT_DEFAULTS.rpmCap,
        dailyImageQuota: data.dailyImageQuota ?? null,
        dailyVideoQuota: data.dailyVideoQuota ?? null,
        quotaResetTime: data.quotaResetTime ?? DEFAULT_QUOTA_RESET_TIME,
      },
    },
  ];
}

function resetQuota(
  account: RegisteredAccountState,
  data: { accountId: string; at: string; credits?: number; force?: boolean },
): AccountEvent[] {
  const at = new Date(data.at);
  // The scheduler may fire twice for one quota day; the second reset is a no-op.
  if (!data.force && account.nextQuotaResetAt !== undefined && at < new Date(account.nextQuotaResetAt))
    return [];
  const nextResetAt = nextQuotaResetAt(at, account.quotaResetTime).toISOString();
  const reenabled: AccountCapabilityChanged[] = GENERATION_KINDS.filter((kind) => {
    const capability = account.capabilities[kind];
    // Only unavailability that waits for the reset (credits ran out); a manual one stays.
    return capability.status === 'unavailable' && capability.until !== undefined;
  }).map((kind) => ({
    type: 'AccountCapabilityChanged',
    data: { accountId: account.accountId, kind, status: 'available', reason: 'quota_reset', at: data.at },
  }));
  return [
    {
      type: 'AccountQuotaReset',
      data: {
        accountId: account.accountId,
        at: data.at,
        nextResetAt,
        ...(data.credits === undefined ? {} : { credits: data.credits }),
      },
    },
    ...reenabled,
  ];
}

function requireAccount(state: AccountState, accountId: string): RegisteredAccountState {
  if (!state.exists) {
    throw new DomainError('ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`, { accountId });
  }
  return state;
}

function assertSiteFits(site: Site, accountType: AccountType): void {
  if (!siteFitsAccountType(site, accountType)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      accountType === 0 ? 'a domestic account uses site cn' : 'an international account cannot use site cn',
      { siteType: site, accountType },
    );
  }
}

/** Drops fields that would not change anything, so an update that changes nothing appends nothing. */
function effectiveChanges(account: RegisteredAccountState, changes: AccountChanges): AccountChanges {
  const current = account as unknown as Record<string, unknown>;
  const effective: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) effective[key] = value;
  }
  // A new session id always travels with its hint.
  if ('sealedSessionId' in effective || 'sessionHint' in effective) {
    effective['sealedSessionId'] = changes.sealedSessionId;
    effective['sessionHint'] = changes.sessionHint;
  }
  return effective as AccountChanges;
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
