import { z } from 'zod';

/**
 * A generation job on topic `jimeng.jobs`: "the slot `streamId` is waiting for an attempt since the
 * event at `revision`". The relay derives one from each GenerationRequested, RegenerationRequested,
 * AttemptFailed (not final) and AttemptAbandoned; the worker claims it by appending
 * GenerationStarted with expected revision `revision`, so a duplicate or superseded job (a
 * regeneration or delete came after it) loses the claim and is dropped.
 */
export const jobMessageSchema = z.object({
  streamId: z.string().min(1),
  recordId: z.string().min(1),
  kind: z.enum(['image', 'video']),
  revision: z.number().int().min(0),
  /** Do not attempt before this instant (ISO): a cooldown chosen by the failover. */
  notBefore: z.string().optional(),
  /** Event id of the triggering event (causation of the claim). */
  causationId: z.string().optional(),
  correlationId: z.string().optional(),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Event types after which a slot waits for a worker. */
export const JOB_TRIGGER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'GenerationRequested',
  'RegenerationRequested',
  'AttemptFailed',
  'AttemptAbandoned',
]);

export function encodeJob(job: JobMessage): string {
  return JSON.stringify(job);
}

export function decodeJob(value: string): JobMessage {
  return jobMessageSchema.parse(JSON.parse(value));
}
