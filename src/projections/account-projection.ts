import {
  accountStatusToCode,
  capabilityStatusToCode,
  siteToCode,
  type AccountEvent,
  type AccountRegisteredData,
  type AccountUpdatedData,
  type GenerationKind,
} from '../events';
import { nextQuotaResetAt } from '../commands/account/quota-reset-time';
import type {
  AccountStatusCode,
  AccountView,
  CapabilityCode,
  LastError,
  ProjectionWrite,
  SiteCode,
} from '../ports/read-models';
import { utc, type ProjectedEvent } from './projected-event';

/**
 * The account document as projected. `quotaResetUtcOffsetMinutes` completes `quotaResetTime`
 * ("HH:mm" is read in that zone); it is not (yet) a field of the port's AccountView.
 */
export type ProjectedAccountView = AccountView & { quotaResetUtcOffsetMinutes: number };

/** Maps one event of an `account-{id}` stream to the write of that account's document. */
export function projectAccountEvent({ event }: ProjectedEvent<AccountEvent>): ProjectionWrite[] {
  const accountId = event.data.accountId;
  if (event.type === 'AccountRegistered') {
    return [{ account: { id: accountId, update: () => registeredView(event.data) } }];
  }
  const change = (apply: (view: ProjectedAccountView) => ProjectedAccountView): ProjectionWrite => ({
    account: {
      id: accountId,
      // Events of an account the read model never saw registered cannot be applied meaningfully.
      update: (current) => (current === null ? null : apply(current as ProjectedAccountView)),
    },
  });
  switch (event.type) {
    case 'AccountUpdated':
      return [change((view) => updatedView(view, event.data))];
    case 'AccountDeleted':
      return [
        change((view) => ({
          ...view,
          isDeleted: true,
          updateBy: event.data.updateBy,
          updatedAt: utc(event.data.at),
        })),
      ];
    case 'AccountStatusChanged': {
      const { to, reason, upstreamCode, message, at } = event.data;
      return [
        change((view) => ({
          ...view,
          accountStatus: accountStatusToCode(to) as AccountStatusCode,
          lastError:
            to !== 'active' && reason !== 'manual'
              ? lastError(reason, upstreamCode, message, at)
              : view.lastError,
          updatedAt: utc(at),
        })),
      ];
    }
    case 'AccountCapabilityChanged': {
      const { kind, status, until, reason, upstreamCode, message, strikes, at } = event.data;
      const fields = capabilityFields(kind);
      return [
        change((view) => ({
          ...view,
          [fields.status]: capabilityStatusToCode(status) as CapabilityCode,
          [fields.until]: status === 'available' || until === undefined ? null : utc(until),
          [fields.strikes]: strikes ?? (status === 'available' ? 0 : view[fields.strikes]),
          lastError:
            status !== 'available' && reason !== 'manual'
              ? lastError(reason, upstreamCode, message, at)
              : view.lastError,
          updatedAt: utc(at),
        })),
      ];
    }
    case 'AccountQuotaReset':
      return [
        change((view) => ({
          ...view,
          imageUsedToday: 0,
          videoUsedToday: 0,
          nextQuotaResetAt: utc(event.data.nextResetAt),
        })),
      ];
  }
}

/**
 * Usage counts are derived from completions (DESIGN §2), so the hot path never writes to the account
 * stream on success. The write carries the completion's position: the account document's guard keeps
 * a replay from counting it twice.
 */
export function countCompletion(accountId: string, kind: GenerationKind): ProjectionWrite {
  const total = kind === 'image' ? 'imageCount' : 'videoCount';
  const today = kind === 'image' ? 'imageUsedToday' : 'videoUsedToday';
  return {
    account: {
      id: accountId,
      update: (current) =>
        current === null ? null : { ...current, [total]: current[total] + 1, [today]: current[today] + 1 },
    },
  };
}

function registeredView(data: AccountRegisteredData): ProjectedAccountView {
  const at = utc(data.at);
  return {
    id: data.accountId,
    jimengAccount: data.jimengAccount,
    jimengAccountType: data.accountType,
    sessionIdMasked: data.sessionHint,
    siteType: siteToCode(data.siteType) as SiteCode,
    accountStatus: 0,
    imageGenerationStatus: 1,
    videoGenerationStatus: 1,
    imageUnavailableUntil: null,
    videoUnavailableUntil: null,
    imageStrikes: 0,
    videoStrikes: 0,
    imageCount: 0,
    videoCount: 0,
    imageUsedToday: 0,
    videoUsedToday: 0,
    dailyImageQuota: data.dailyImageQuota,
    dailyVideoQuota: data.dailyVideoQuota,
    quotaResetTime: data.quotaResetTime.timeOfDay,
    quotaResetUtcOffsetMinutes: data.quotaResetTime.utcOffsetMinutes,
    nextQuotaResetAt: nextQuotaResetAt(new Date(data.at), data.quotaResetTime).toISOString(),
    priority: data.priority,
    weight: data.weight,
    concurrencyCap: data.concurrencyCap,
    rpmCap: data.rpmCap,
    lastError: null,
    isDeleted: false,
    createBy: data.createBy,
    updateBy: data.createBy,
    createdAt: at,
    updatedAt: at,
    position: '0',
  };
}

function updatedView(view: ProjectedAccountView, data: AccountUpdatedData): ProjectedAccountView {
  const c = data.changes;
  const next: ProjectedAccountView = { ...view, updateBy: data.updateBy, updatedAt: utc(data.at) };
  if (c.jimengAccount !== undefined) next.jimengAccount = c.jimengAccount;
  if (c.accountType !== undefined) next.jimengAccountType = c.accountType;
  if (c.sessionHint !== undefined) next.sessionIdMasked = c.sessionHint;
  if (c.siteType !== undefined) next.siteType = siteToCode(c.siteType) as SiteCode;
  if (c.priority !== undefined) next.priority = c.priority;
  if (c.weight !== undefined) next.weight = c.weight;
  if (c.concurrencyCap !== undefined) next.concurrencyCap = c.concurrencyCap;
  if (c.rpmCap !== undefined) next.rpmCap = c.rpmCap;
  if (c.dailyImageQuota !== undefined) next.dailyImageQuota = c.dailyImageQuota;
  if (c.dailyVideoQuota !== undefined) next.dailyVideoQuota = c.dailyVideoQuota;
  if (c.accountStatus !== undefined)
    next.accountStatus = accountStatusToCode(c.accountStatus) as AccountStatusCode;
  if (c.quotaResetTime !== undefined) {
    next.quotaResetTime = c.quotaResetTime.timeOfDay;
    next.quotaResetUtcOffsetMinutes = c.quotaResetTime.utcOffsetMinutes;
    next.nextQuotaResetAt = nextQuotaResetAt(new Date(data.at), c.quotaResetTime).toISOString();
  }
  return next;
}

function capabilityFields(kind: GenerationKind) {
  return kind === 'image'
    ? ({ status: 'imageGenerationStatus', until: 'imageUnavailableUntil', strikes: 'imageStrikes' } as const)
    : ({ status: 'videoGenerationStatus', until: 'videoUnavailableUntil', strikes: 'videoStrikes' } as const);
}

function lastError(
  errorClass: string,
  upstreamCode: string | undefined,
  message: string | undefined,
  at: string,
): LastError {
  return {
    errorClass,
    ...(upstreamCode === undefined ? {} : { upstreamCode }),
    message: message ?? errorClass,
    at: utc(at),
  };
}
