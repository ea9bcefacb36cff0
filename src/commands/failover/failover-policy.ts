import type { AccountEvent, ErrorClass, GenerationErrorCode, GenerationKind, Site } from '../../events';
import type { RegisteredAccountState } from '../account/account-state';
import { nextQuotaResetAt } from '../account/quota-reset-time';
import type { GenerationRecordState, SitePair } from '../generation/generation-slot-state';
import { sitesForAccount } from '../selection/site-order';
import { DEFAULT_FAILOVER_CONFIG, runDeadline, type FailoverConfig } from './failover-config';

/** A failed attempt, as the gateway classified it. */
export interface AttemptError {
  errorClass: ErrorClass;
  upstreamCode?: string;
  message: string;
  /** The upstream may have accepted the work before the failure. */
  submitted: boolean;
  /** The upstream's own hint of when to try again (Retry-After, say). */
  retryAfterMs?: number;
}

/** The run of the record the attempt belonged to, before this failure. */
export interface FailoverJob {
  kind: GenerationKind;
  runStartedAt: string;
  /** Attempts made in this run, the failed one included. */
  attempts: number;
  exclusions: readonly SitePair[];
  timeoutsAfterSubmission: number;
  failuresByClass: Partial<Record<ErrorClass, number>>;
}

export interface FailoverInput {
  error: AttemptError;
  job: FailoverJob;
  /** Where the failed attempt ran. */
  attempt: SitePair;
  account: RegisteredAccountState;
  now: Date;
}

export type FailoverAction =
  | {
      type: 'retry';
      /** The class to record in AttemptFailed (a session error off the account's own site is a mismatch). */
      errorClass: ErrorClass;
      excludePair: SitePair;
      /** No other site of this account can help this job. */
      excludeAccount: boolean;
      /** Try this account again first (on its next site). */
      preferAccountId?: string;
      accountEvents: AccountEvent[];
    }
  | {
      type: 'fail';
      errorClass: ErrorClass;
      errorCode: GenerationErrorCode;
      message: string;
      accountEvents: AccountEvent[];
    };

export function jobFromRecord(record: GenerationRecordState): FailoverJob {
  const { startedAt, attempts, exclusions, timeoutsAfterSubmission, failuresByClass } = record.run;
  return {
    kind: record.kind,
    runStartedAt: startedAt,
    attempts,
    exclusions,
    timeoutsAfterSubmission,
    failuresByClass,
  };
}

/** What to do after a failed attempt (DESIGN §3, jimeng-protocol §3.5). Pure. */
export function decideFailover(
  input: FailoverInput,
  config: FailoverConfig = DEFAULT_FAILOVER_CONFIG,
): FailoverAction {
  const { error, job, attempt, account, now } = input;
  const at = now.toISOString();
  const upstream = {
    ...(error.upstreamCode === undefined ? {} : { upstreamCode: error.upstreamCode }),
    message: error.message,
  };
  const events = (...candidates: (AccountEvent | undefined)[]): AccountEvent[] =>
    account.deleted ? [] : candidates.filter((e): e is AccountEvent => e !== undefined);
  const statusChange = (to: 'inactive' | 'banned'): AccountEvent | undefined =>
    account.accountStatus === to
      ? undefined
      : {
          type: 'AccountStatusChanged',
          data: {
            accountId: account.accountId,
            from: account.accountStatus,
            to,
            reason: error.errorClass,
            ...upstream,
            at,
          },
        };
  // The job's kind is off on this account until `until`, for this error.
  const capabilityChange = (
    status: 'rate_limited' | 'unavailable',
    until: Date,
    extra: { strikes?: number } = {},
  ): AccountEvent => ({
    type: 'AccountCapabilityChanged',
    data: {
      accountId: account.accountId,
      kind: job.kind,
      status,
      until: until.toISOString(),
      reason: error.errorClass,
      ...upstream,
      ...extra,
      at,
    },
  });
  const retry = (
    errorClass: ErrorClass,
    excludeAccount: boolean,
    accountEvents: AccountEvent[],
    extra: { preferAccountId?: string } = {},
  ): FailoverAction =>
    withinLimits(
      { type: 'retry', errorClass, excludePair: attempt, excludeAccount, accountEvents, ...extra },
      input,
      config,
    );
  const fail = (accountEvents: AccountEvent[] = []): FailoverAction => ({
    type: 'fail',
    errorClass: error.errorClass,
    errorCode: error.errorClass,
    message: error.message,
    accountEvents,
  });

  switch (error.errorClass) {
    case 'CONTENT_REJECTED':
    case 'BAD_REQUEST':
      // Another account or site would get the same answer.
      return fail();
    case 'SESSION_INVALID':
      // A wrong site prefix looks like an expired session (protocol §2), and an account may well be
      // registered under the wrong site: only when every site of the account answered so is the
      // session proven dead (requirements §5.3: sites first, then accounts).
      if (untriedSites().length > 0) return siteMismatch('SITE_MISMATCH');
      return retry('SESSION_INVALID', true, events(statusChange('inactive')));
    case 'SITE_MISMATCH':
      return siteMismatch('SITE_MISMATCH');
    case 'ACCOUNT_BANNED':
      return retry('ACCOUNT_BANNED', true, events(statusChange('banned')));
    case 'RATE_LIMITED': {
      const { strikes, until } = rateLimitCooldown(account, job.kind, now, error.retryAfterMs, config);
      return retry('RATE_LIMITED', true, events(capabilityChange('rate_limited', until, { strikes })));
    }
    case 'INSUFFICIENT_CREDITS':
      return retry(
        'INSUFFICIENT_CREDITS',
        true,
        events(capabilityChange('unavailable', nextQuotaResetAt(now, account.quotaResetTime))),
      );
    case 'TIMEOUT':
      if (!error.submitted) return retry('TIMEOUT', false, []);
      // The upstream may still be working (and billing): resubmit a bounded number of times only.
      if (job.timeoutsAfterSubmission >= config.maxTimeoutResubmissions) return fail();
      return retry('TIMEOUT', false, []);
    case 'UPSTREAM_FAILED':
      if ((job.failuresByClass.UPSTREAM_FAILED ?? 0) + 1 > config.maxUpstreamFailures) return fail();
      return retry('UPSTREAM_FAILED', true, []);
  }

  function untriedSites(): Site[] {
    const tried = new Set(
      [...job.exclusions, attempt].filter((p) => p.accountId === account.accountId).map((p) => p.site),
    );
    return sitesForAccount(account, config.fallbackOrder).filter((s) => !tried.has(s));
  }

  function siteMismatch(errorClass: ErrorClass): FailoverAction {
    const next = untriedSites();
    return retry(errorClass, false, [], next.length === 0 ? {} : { preferAccountId: account.accountId });
  }
}

/** Base cooldown doubling per consecutive strike, capped; never shorter than the upstream's hint. */
export function rateLimitCooldown(
  account: RegisteredAccountState,
  kind: GenerationKind,
  now: Date,
  retryAfterMs: number | undefined,
  config: FailoverConfig = DEFAULT_FAILOVER_CONFIG,
): { strikes: number; until: Date } {
  const capability = account.capabilities[kind];
  const lastEnd = capability.until === undefined ? undefined : Date.parse(capability.until);
  const recent =
    capability.status === 'rate_limited' &&
    lastEnd !== undefined &&
    now.getTime() - lastEnd < config.strikeMemoryMs;
  const strikes = (recent ? capability.strikes : 0) + 1;
  const grown = Math.min(config.rateLimitBaseMs * 2 ** Math.min(strikes - 1, 30), config.rateLimitMaxMs);
  const cooldown = Math.max(grown, retryAfterMs ?? 0);
  return { strikes, until: new Date(now.getTime() + cooldown) };
}

/** A retry past the switch budget or the deadline ends the record instead. */
function withinLimits(action: FailoverAction, input: FailoverInput, config: FailoverConfig): FailoverAction {
  if (action.type === 'fail') return action;
  const { job, now, error } = input;
  const last = `last error ${action.errorClass}: ${error.message}`;
  if (job.attempts >= config.switchBudget) {
    return fail(
      'SWITCH_BUDGET_EXHAUSTED',
      `${job.attempts} attempts used (budget ${config.switchBudget}); ${last}`,
    );
  }
  if (now >= runDeadline(job.kind, job.runStartedAt, config)) {
    return fail('DEADLINE_EXCEEDED', `deadline passed after ${job.attempts} attempts; ${last}`);
  }
  return action;

  function fail(errorCode: GenerationErrorCode, message: string): FailoverAction {
    return {
      type: 'fail',
      errorClass: action.errorClass,
      errorCode,
      message,
      accountEvents: action.accountEvents,
    };
  }
}
