import type { GenerationErrorCode, GenerationKind, Site } from '../../events';
import type { GenerationRecordState } from '../generation/generation-slot-state';
import type { SelectionContext, SelectionResult } from '../selection/account-selection';
import { DEFAULT_FAILOVER_CONFIG, runDeadline, type FailoverConfig } from './failover-config';

export type NextAttemptPlan =
  | { type: 'start'; accountId: string; site: Site }
  | { type: 'wait'; until: Date }
  | { type: 'fail'; errorCode: GenerationErrorCode; message: string };

export interface NextAttemptJob {
  kind: GenerationKind;
  runStartedAt: string;
  /** Attempts already made in this run. */
  attempts: number;
}

/**
 * The gate before every attempt: start on the selected account, wait for the earliest recovery
 * while it falls within the run's deadline, or end the record.
 */
export function planNextAttempt(
  selection: SelectionResult,
  job: NextAttemptJob,
  now: Date,
  config: FailoverConfig = DEFAULT_FAILOVER_CONFIG,
): NextAttemptPlan {
  const deadline = runDeadline(job.kind, job.runStartedAt, config);
  if (job.attempts >= config.switchBudget) {
    return {
      type: 'fail',
      errorCode: 'SWITCH_BUDGET_EXHAUSTED',
      message: `${job.attempts} attempts used (budget ${config.switchBudget})`,
    };
  }
  if (now >= deadline) {
    return {
      type: 'fail',
      errorCode: 'DEADLINE_EXCEEDED',
      message: `deadline ${deadline.toISOString()} passed`,
    };
  }
  switch (selection.type) {
    case 'selected':
      return { type: 'start', accountId: selection.accountId, site: selection.site };
    case 'wait':
      if (selection.waitUntil < deadline) return { type: 'wait', until: selection.waitUntil };
      return {
        type: 'fail',
        errorCode: 'NO_ACCOUNT_AVAILABLE',
        message: `no account recovers before the deadline ${deadline.toISOString()}`,
      };
    case 'none':
      return { type: 'fail', errorCode: 'NO_ACCOUNT_AVAILABLE', message: selection.reason };
  }
}

/** The selection context of a record's next attempt, from what its stream remembers. */
export function selectionContextFor(record: GenerationRecordState, now: Date): SelectionContext {
  const { exclusions, excludedAccounts, lastFailure } = record.run;
  return {
    kind: record.kind,
    model: record.model,
    now,
    exclusions,
    excludedAccounts,
    // After a site mismatch the same account's next site comes first (requirements §5.3).
    ...(lastFailure?.reason === 'SITE_MISMATCH' ? { preferAccountId: lastFailure.accountId } : {}),
  };
}

export function nextAttemptJobFor(record: GenerationRecordState): NextAttemptJob {
  return { kind: record.kind, runStartedAt: record.run.startedAt, attempts: record.run.attempts };
}
