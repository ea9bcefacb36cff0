import type { ErrorClass, GenerationErrorCode, GenerationKind, Site } from '../../events';

export type JobDropReason = 'malformed' | 'stale' | 'claim_conflict' | 'refused';

export type AttemptOutcome =
  /** GenerationCompleted appended. */
  | 'completed'
  /** AttemptFailed appended: the job goes on with another attempt. */
  | 'retry'
  /** GenerationFailed appended: the record ended as failed. */
  | 'failed'
  /** AttemptAbandoned appended (shutdown, lost lease). */
  | 'abandoned'
  /** The record moved on meanwhile (regenerated, deleted, reaped): the outcome was not recorded. */
  | 'stale';

export interface AttemptInfo {
  kind: GenerationKind;
  recordId: string;
  attempt: number;
  accountId: string;
  site: Site;
}

/** Hooks for metrics (the lead wires them to Prometheus); every one optional, none may throw. */
export interface WorkerObserver {
  onJobDropped?(reason: JobDropReason, kind: GenerationKind | undefined): void;
  onAttemptStarted?(attempt: AttemptInfo): void;
  onAttemptFinished?(
    outcome: AttemptOutcome,
    errorClass: ErrorClass | undefined,
    attempt: AttemptInfo & { durationMs: number },
  ): void;
  onSwitch?(type: 'site' | 'account', reason: string, kind: GenerationKind): void;
  /** The record ended as failed before any attempt could start (no account, budget, deadline). */
  onGenerationFailed?(errorCode: GenerationErrorCode, kind: GenerationKind): void;
  /** A job waits for an account (all cooling or at their caps). */
  onWaiting?(kind: GenerationKind, untilMs: number): void;
}

/** Calls a hook, never letting an observer's failure reach the worker. */
export function notify<K extends keyof WorkerObserver>(
  observer: WorkerObserver | undefined,
  hook: K,
  ...args: Parameters<NonNullable<WorkerObserver[K]>>
): void {
  const fn = observer?.[hook] as ((...a: unknown[]) => void) | undefined;
  if (fn === undefined) return;
  try {
    fn.apply(observer, args);
  } catch {
    // Metrics must not break generation.
  }
}
