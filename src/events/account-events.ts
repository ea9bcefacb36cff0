import { z } from 'zod';
import * as p from './schema-primitives';

const mutableAccountFields = {
  jimengAccount: z.string().min(1).max(256),
  accountType: p.accountType,
  sealedSessionId: z.string().min(1),
  /** Masked session id for display, e.g. "ab****yz"; never the plaintext. */
  sessionHint: z.string().max(32),
  /** The site the account was registered on. */
  siteType: p.site,
  sealedProxy: z.string().min(1).nullable(),
  /** Higher is preferred. */
  priority: z.number().int(),
  weight: z.number().min(0),
  concurrencyCap: p.positiveInt,
  rpmCap: p.positiveInt,
  dailyImageQuota: p.dailyQuota,
  dailyVideoQuota: p.dailyQuota,
  quotaResetTime: p.quotaResetTime,
};

export const accountRegisteredData = z.object({
  accountId: p.id,
  ...mutableAccountFields,
  createBy: p.actor,
  at: p.isoTime,
});

export const accountUpdatedData = z.object({
  accountId: p.id,
  changes: z
    .object({ ...mutableAccountFields, accountStatus: p.accountStatus })
    .partial()
    .refine((c) => (c.sealedSessionId === undefined) === (c.sessionHint === undefined), {
      message: 'sealedSessionId and sessionHint change together',
    }),
  updateBy: p.actor,
  at: p.isoTime,
});

export const accountDeletedData = z.object({ accountId: p.id, updateBy: p.actor, at: p.isoTime });

export const accountStatusChangedData = z.object({
  accountId: p.id,
  from: p.accountStatus,
  to: p.accountStatus,
  /** An error class, or 'manual'. */
  reason: z.string().min(1),
  upstreamCode: p.upstreamCode.optional(),
  message: z.string().optional(),
  at: p.isoTime,
});

export const accountCapabilityChangedData = z.object({
  accountId: p.id,
  kind: p.generationKind,
  status: p.capabilityStatus,
  /** End of a rate limit, or of an unavailability that lasts until the quota reset. */
  until: p.isoTime.optional(),
  reason: z.string().min(1),
  upstreamCode: p.upstreamCode.optional(),
  message: z.string().optional(),
  /** Consecutive rate limits, so cooldowns can grow on repeats. */
  strikes: z.number().int().min(0).optional(),
  at: p.isoTime,
});

export const accountQuotaResetData = z.object({
  accountId: p.id,
  at: p.isoTime,
  nextResetAt: p.isoTime,
  credits: z.number().optional(),
});

export type AccountRegisteredData = z.infer<typeof accountRegisteredData>;
export type AccountUpdatedData = z.infer<typeof accountUpdatedData>;
export type AccountChanges = AccountUpdatedData['changes'];
export type AccountDeletedData = z.infer<typeof accountDeletedData>;
export type AccountStatusChangedData = z.infer<typeof accountStatusChangedData>;
export type AccountCapabilityChangedData = z.infer<typeof accountCapabilityChangedData>;
export type AccountQuotaResetData = z.infer<typeof accountQuotaResetData>;

export type AccountRegistered = { type: 'AccountRegistered'; data: AccountRegisteredData };
export type AccountUpdated = { type: 'AccountUpdated'; data: AccountUpdatedData };
export type AccountDeleted = { type: 'AccountDeleted'; data: AccountDeletedData };
export type AccountStatusChanged = { type: 'AccountStatusChanged'; data: AccountStatusChangedData };
export type AccountCapabilityChanged = {
  type: 'AccountCapabilityChanged';
  data: AccountCapabilityChangedData;
};
export type AccountQuotaReset = { type: 'AccountQuotaReset'; data: AccountQuotaResetData };

export type AccountEvent =
  | AccountRegistered
  | AccountUpdated
  | AccountDeleted
  | AccountStatusChanged
  | AccountCapabilityChanged
  | AccountQuotaReset;

export const accountEventSchemas = {
  AccountRegistered: accountRegisteredData,
  AccountUpdated: accountUpdatedData,
  AccountDeleted: accountDeletedData,
  AccountStatusChanged: accountStatusChangedData,
  AccountCapabilityChanged: accountCapabilityChangedData,
  AccountQuotaReset: accountQuotaResetData,
} as const satisfies Record<AccountEvent['type'], z.ZodType>;
