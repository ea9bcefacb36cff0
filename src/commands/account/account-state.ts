import type {
  AccountEvent,
  AccountRegisteredData,
  AccountStatus,
  CapabilityStatus,
  GenerationKind,
} from '../../events';
import { nextQuotaResetAt } from './quota-reset-time';

export interface CapabilityState {
  status: CapabilityStatus;
  /** Rate limit end, or end of an unavailability that lasts until the quota reset. */
  until?: string;
  reason?: string;
  /** Consecutive rate limits (for growing cooldowns). */
  strikes: number;
  changedAt?: string;
}

export interface RegisteredAccountState extends Omit<AccountRegisteredData, 'at' | 'createBy'> {
  exists: true;
  accountStatus: AccountStatus;
  deleted: boolean;
  capabilities: Record<GenerationKind, CapabilityState>;
  createBy: string;
  createdAt: string;
  updateBy?: string;
  updatedAt: string;
  lastQuotaResetAt?: string;
  nextQuotaResetAt?: string;
  credits?: number;
}

export type AccountState = { exists: false } | RegisteredAccountState;

export const initialAccountState = (): AccountState => ({ exists: false });

const AVAILABLE: CapabilityState = { status: 'available', strikes: 0 };

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountRegistered') {
    const { at, createBy, ...fields } = event.data;
    return {
      ...fields,
      exists: true,
      accountStatus: 'active',
      deleted: false,
      capabilities: { image: AVAILABLE, video: AVAILABLE },
      createBy,
      createdAt: at,
      updatedAt: at,
    };
  }
  // Events of a stream that was never registered cannot happen; ignore rather than invent state.
  if (!state.exists) return state;
  switch (event.type) {
    case 'AccountUpdated': {
      const { accountStatus, ...changes } = event.data.changes;
      return {
        ...state,
        ...changes,
        // A new reset time moves the next reset (as the read model shows it), else the scheduler
        // would see a reset due that the old time still refuses.
        ...(changes.quotaResetTime === undefined
          ? {}
          : {
              nextQuotaResetAt: nextQuotaResetAt(
                new Date(event.data.at),
                changes.quotaResetTime,
              ).toISOString(),
            }),
        accountStatus: accountStatus ?? state.accountStatus,
        updateBy: event.data.updateBy,
        updatedAt: event.data.at,
      };
    }
    case 'AccountDeleted':
      return { ...state, deleted: true, updateBy: event.data.updateBy, updatedAt: event.data.at };
    case 'AccountStatusChanged':
      return { ...state, accountStatus: event.data.to, updatedAt: event.data.at };
    case 'AccountCapabilityChanged': {
      const { kind, status, until, reason, strikes, at } = event.data;
      const capability: CapabilityState = {
        status,
        reason,
        strikes: strikes ?? (status === 'available' ? 0 : state.capabilities[kind].strikes),
        changedAt: at,
        ...(until === undefined ? {} : { until }),
      };
      return { ...state, capabilities: { ...state.capabilities, [kind]: capability }, updatedAt: at };
    }
    case 'AccountQuotaReset':
      return {
        ...state,
        lastQuotaResetAt: event.data.at,
        nextQuotaResetAt: event.data.nextResetAt,
        ...(event.data.credits === undefined ? {} : { credits: event.data.credits }),
      };
  }
}
