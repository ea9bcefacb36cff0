import { z } from 'zod';
import * as p from './schema-primitives';

export const generationParams = z.object({
  ratio: z.string().max(16).optional(),
  resolution: z.string().max(16).optional(),
  negativePrompt: z.string().max(4000).optional(),
  sampleStrength: z.number().min(0).max(1).optional(),
  images: z.array(p.url).max(10).optional(),
  duration: z.number().positive().optional(),
  firstFrameUrl: p.url.optional(),
  lastFrameUrl: p.url.optional(),
});
export type GenerationParams = z.infer<typeof generationParams>;

export const generationRequestedData = z.object({
  recordId: p.id,
  kind: p.generationKind,
  mode: p.generationMode,
  projectId: p.slotKey,
  projectName: z.string().max(256),
  storyboardId: p.slotKey,
  workId: z.string().max(128),
  createBy: p.actor,
  model: z.string().min(1).max(128),
  prompt: z.string().max(8000),
  params: generationParams,
  callbackUrl: p.url.optional(),
  at: p.isoTime,
});

export const regenerationRequestedData = z.object({
  recordId: p.id,
  changes: z.object({
    model: z.string().min(1).max(128).optional(),
    prompt: z.string().max(8000).optional(),
    mode: p.generationMode.optional(),
    /** Merged into the record's params. */
    params: generationParams.optional(),
    callbackUrl: p.url.optional(),
  }),
  updateBy: p.actor,
  at: p.isoTime,
});

export const generationStartedData = z.object({
  recordId: p.id,
  /** 1-based; counts every attempt ever made for this record. */
  attempt: p.positiveInt,
  accountId: p.id,
  site: p.site,
  leaseId: p.id,
  leaseDeadline: p.isoTime,
  at: p.isoTime,
});

const switchReason = {
  /** The error class that made the previous attempt fail, or the abandon reason. */
  reason: z.string().min(1),
  upstreamCode: p.upstreamCode.optional(),
  message: z.string().optional(),
};

export const siteSwitchedData = z.object({
  recordId: p.id,
  /** The attempt that failed. */
  attempt: p.positiveInt,
  accountId: p.id,
  fromSite: p.site,
  toSite: p.site,
  ...switchReason,
  at: p.isoTime,
});

export const accountSwitchedData = z.object({
  recordId: p.id,
  attempt: p.positiveInt,
  fromAccountId: p.id,
  toAccountId: p.id,
  ...switchReason,
  at: p.isoTime,
});

export const attemptFailedData = z.object({
  recordId: p.id,
  attempt: p.positiveInt,
  accountId: p.id,
  site: p.site,
  errorClass: p.errorClass,
  upstreamCode: p.upstreamCode.optional(),
  message: z.string(),
  /** The upstream may have accepted (and billed) the work. */
  submitted: z.boolean(),
  retryAt: p.isoTime.optional(),
  at: p.isoTime,
});

export const attemptAbandonedData = z.object({
  recordId: p.id,
  attempt: p.positiveInt,
  accountId: p.id,
  site: p.site,
  reason: z.enum(['lease_expired', 'shutdown']),
  at: p.isoTime,
});

export const generationCompletedData = z.object({
  recordId: p.id,
  attempt: p.positiveInt,
  accountId: p.id,
  site: p.site,
  urls: z.array(z.string().min(1)).min(1),
  durationMs: z.number().int().min(0),
  at: p.isoTime,
});

export const generationFailedData = z.object({
  recordId: p.id,
  attempt: p.positiveInt.optional(),
  errorCode: p.generationErrorCode,
  message: z.string(),
  /** Attempts made in the run that ended here. */
  attempts: z.number().int().min(0),
  at: p.isoTime,
});

export const recordDeletedData = z.object({ recordId: p.id, updateBy: p.actor, at: p.isoTime });

export const callbackDeliveredData = z.object({
  recordId: p.id,
  url: p.url,
  httpStatus: z.number().int(),
  attempts: p.positiveInt,
  at: p.isoTime,
});

export const callbackFailedData = z.object({
  recordId: p.id,
  url: p.url,
  error: z.string(),
  attempts: p.positiveInt,
  /** No more deliveries will be tried. */
  final: z.boolean(),
  at: p.isoTime,
});

export type GenerationRequestedData = z.infer<typeof generationRequestedData>;
export type RegenerationRequestedData = z.infer<typeof regenerationRequestedData>;
export type GenerationStartedData = z.infer<typeof generationStartedData>;
export type SiteSwitchedData = z.infer<typeof siteSwitchedData>;
export type AccountSwitchedData = z.infer<typeof accountSwitchedData>;
export type AttemptFailedData = z.infer<typeof attemptFailedData>;
export type AttemptAbandonedData = z.infer<typeof attemptAbandonedData>;
export type GenerationCompletedData = z.infer<typeof generationCompletedData>;
export type GenerationFailedData = z.infer<typeof generationFailedData>;
export type RecordDeletedData = z.infer<typeof recordDeletedData>;
export type CallbackDeliveredData = z.infer<typeof callbackDeliveredData>;
export type CallbackFailedData = z.infer<typeof callbackFailedData>;

export type GenerationRequested = { type: 'GenerationRequested'; data: GenerationRequestedData };
export type RegenerationRequested = { type: 'RegenerationRequested'; data: RegenerationRequestedData };
export type GenerationStarted = { type: 'GenerationStarted'; data: GenerationStartedData };
export type SiteSwitched = { type: 'SiteSwitched'; data: SiteSwitchedData };
export type AccountSwitched = { type: 'AccountSwitched'; data: AccountSwitchedData };
export type AttemptFailed = { type: 'AttemptFailed'; data: AttemptFailedData };
export type AttemptAbandoned = { type: 'AttemptAbandoned'; data: AttemptAbandonedData };
export type GenerationCompleted = { type: 'GenerationCompleted'; data: GenerationCompletedData };
export type GenerationFailed = { type: 'GenerationFailed'; data: GenerationFailedData };
export type RecordDeleted = { type: 'RecordDeleted'; data: RecordDeletedData };
export type CallbackDelivered = { type: 'CallbackDelivered'; data: CallbackDeliveredData };
export type CallbackFailed = { type: 'CallbackFailed'; data: CallbackFailedData };

export type GenerationEvent =
  | GenerationRequested
  | RegenerationRequested
  | GenerationStarted
  | SiteSwitched
  | AccountSwitched
  | AttemptFailed
  | AttemptAbandoned
  | GenerationCompleted
  | GenerationFailed
  | RecordDeleted
  | CallbackDelivered
  | CallbackFailed;

export const generationEventSchemas = {
  GenerationRequested: generationRequestedData,
  RegenerationRequested: regenerationRequestedData,
  GenerationStarted: generationStartedData,
  SiteSwitched: siteSwitchedData,
  AccountSwitched: accountSwitchedData,
  AttemptFailed: attemptFailedData,
  AttemptAbandoned: attemptAbandonedData,
  GenerationCompleted: generationCompletedData,
  GenerationFailed: generationFailedData,
  RecordDeleted: recordDeletedData,
  CallbackDelivered: callbackDeliveredData,
  CallbackFailed: callbackFailedData,
} as const satisfies Record<GenerationEvent['type'], z.ZodType>;
