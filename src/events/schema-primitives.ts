import { z } from 'zod';
import {
  ACCOUNT_STATUSES,
  CAPABILITY_STATUSES,
  ERROR_CLASSES,
  GENERATION_KINDS,
  GENERATION_MODES,
  JOB_FAILURE_CODES,
  SITES,
} from './codes';
import { SLOT_KEY_PATTERN } from './stream-ids';

export const isoTime = z.iso.datetime({ offset: true });
export const id = z.string().min(1).max(128);
export const slotKey = z.string().regex(SLOT_KEY_PATTERN);
export const actor = z.string().min(1).max(128);
export const site = z.enum(SITES);
export const accountType = z.union([z.literal(0), z.literal(1)]);
export const accountStatus = z.enum(ACCOUNT_STATUSES);
export const capabilityStatus = z.enum(CAPABILITY_STATUSES);
export const generationKind = z.enum(GENERATION_KINDS);
export const generationMode = z.enum(GENERATION_MODES);
export const errorClass = z.enum(ERROR_CLASSES);
export const generationErrorCode = z.union([errorClass, z.enum(JOB_FAILURE_CODES)]);
export const upstreamCode = z.union([z.string(), z.number()]).transform(String);
export const url = z.url();

/** Time of day of the daily quota reset, with the offset of the zone it is meant in (UTC+8 default). */
export const quotaResetTime = z.object({
  timeOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  utcOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60),
});
export type QuotaResetTime = z.infer<typeof quotaResetTime>;
export const DEFAULT_QUOTA_RESET_TIME: QuotaResetTime = { timeOfDay: '00:00', utcOffsetMinutes: 8 * 60 };

export const positiveInt = z.number().int().min(1);
/** null = unlimited. */
export const dailyQuota = z.number().int().min(0).nullable();
