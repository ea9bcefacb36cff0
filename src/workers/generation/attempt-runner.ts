import type { Logger } from 'pino';
import {
  accountDecider,
  decideFailover,
  generationSlotDecider,
  handleCommand,
  appendIfAt,
  isDomainError,
  jobFromRecord,
  loadStream,
  type AttemptError,
  type FailoverAction,
  type GenerationCommand,
  type RegisteredAccountState,
} from '../../commands';
import { accountStreamId, type ErrorClass } from '../../events';
import type { GenerationResult, JimengGateway, JimengSession } from '../../jimeng/gateway';
import type { AccountLeases } from '../../ports/account-leases';
import type { Clock } from '../../ports/clock';
import { WrongExpectedRevisionError, type EventStore } from '../../ports/event-store';
import type { SecretBox } from '../../ports/secret-box';
import { ABORT_REASONS, type ClaimedAttempt } from './claimed-attempt';
import { callGateway } from './gateway-call';
import type { GenerationWorkerConfig } from './worker-config';
import { notify, type AttemptInfo, type AttemptOutcome, type WorkerObserver } from './worker-observer';

export interface AttemptRunnerDeps {
  eventStore: EventStore;
  leases: AccountLeases;
  gateway: JimengGateway;
  secretBox: SecretBox;
  clock: Clock;
  logger: Logger;
  observer?: WorkerObserver;
}

type Recorded = { outcome: AttemptOutcome; errorClass?: ErrorClass } | 'unrecorded';

/** Outcome writes are retried this often before the lease is left to expire (then the reaper acts). */
const OUTCOME_WRITE_TRIES = 3;

/**
 * Runs one claimed attempt to its end: opens the account's session, calls Jimeng while keeping the
 * lease alive, and records the outcome in the slot's stream (and the failover's account events in the
 * account's stream). Never throws.
 */
export class AttemptRunner {
  constructor(
    private readonly deps: AttemptRunnerDeps,
    private readonly config: GenerationWorkerConfig,
  ) {}

  async run(claimed: ClaimedAttempt, signal: AbortSignal): Promise<void> {
    const { record, attempt, accountId, site, lease } = claimed;
    const info: AttemptInfo = { kind: record.kind, recordId: record.recordId, attempt, accountId, site };
    const log = this.deps.logger.child({ streamId: claimed.streamId, ...info });
    const startedAt = Date.now();
    const call = new AbortController();
    const forward = (): void => call.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    const renewal = this.keepLeaseAlive(claimed, call, log);
    let recorded: Recorded = 'unrecorded';
    try {
      notify(this.deps.observer, 'onAttemptStarted', info);
      recorded = await this.attempt(claimed, call.signal, log);
    } catch (error) {
      log.error({ err: error }, 'attempt ended without a recorded outcome; its lease is left to expire');
    } finally {
      clearInterval(renewal);
      signal.removeEventListener('abort', forward);
      // An unrecorded outcome keeps the lease until it expires, so a reaper re-queues the attempt.
      if (recorded !== 'unrecorded') await this.release(lease.leaseId, log);
      const durationMs = Date.now() - startedAt;
      if (recorded !== 'unrecorded') {
        notify(this.deps.observer, 'onAttemptFinished', recorded.outcome, recorded.errorClass, {
          ...info,
          durationMs,
        });
      }
    }
  }

  private async attempt(claimed: ClaimedAttempt, signal: AbortSignal, log: Logger): Promise<Recorded> {
    const { record } = claimed;
    const account = await loadStream(
      this.deps.eventStore,
      accountStreamId(claimed.accountId),
      accountDecider,
    );
    if (!account.state.exists || account.state.deleted) {
      return this.recordFailure(
        claimed,
        { errorClass: 'SESSION_INVALID', message: 'the account is missing or deleted', submitted: false },
        log,
      );
    }
    let session: JimengSession;
    try {
      session = this.sessionOf(account.state, claimed);
    } catch (error) {
      log.error({ err: error }, 'cannot open the sealed session of the account');
      return this.recordFailure(
        claimed,
        { errorClass: 'SESSION_INVALID', message: 'the sealed session cannot be opened', submitted: false },
        log,
      );
    }
    if (signal.aborted) return this.abandon(claimed, signal.reason, log);

    let result: GenerationResult;
    try {
      result = await callGateway(this.deps.gateway, session, record, {
        signal,
        deadlineMs: this.config.deadlines[record.kind],
      });
    } catch (error) {
      if (signal.aborted) return this.abandon(claimed, signal.reason, log);
      log.error({ err: error }, 'the gateway threw');
      result = {
        ok: false,
        elapsedMs: 0,
        error: {
          errorClass: 'UPSTREAM_FAILED',
          message: error instanceof Error ? error.message : String(error),
          submitted: true,
        },
      };
    }
    // A cut call says nothing about the account: the attempt is handed back, not failed.
    if (signal.aborted) return this.abandon(claimed, signal.reason, log);
    if (result.ok) {
      return this.recordSlot(
        claimed,
        {
          type: 'CompleteGeneration',
          data: {
            recordId: record.recordId,
            attempt: claimed.attempt,
            urls: result.urls,
            durationMs: Math.max(0, Math.round(result.elapsedMs)),
            at: this.now(),
          },
        },
        'completed',
        undefined,
        log,
      );
    }
    const { error } = result;
    log.info(
      { errorClass: error.errorClass, upstreamCode: error.upstreamCode, submitted: error.submitted },
      `attempt failed: ${error.message}`,
    );
    return this.recordFailure(
      claimed,
      {
        errorClass: error.errorClass,
        message: error.message,
        submitted: error.submitted,
        ...(error.upstreamCode === undefined ? {} : { upstreamCode: String(error.upstreamCode) }),
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      },
      log,
    );
  }

  private sessionOf(account: RegisteredAccountState, claimed: ClaimedAttempt): JimengSession {
    const { secretBox } = this.deps;
    const proxy = account.sealedProxy ? secretBox.open(account.sealedProxy) : undefined;
    return {
      sessionId: secretBox.open(account.sealedSessionId),
      site: claimed.site,
      ...(proxy === undefined ? {} : { proxy }),
    };
  }

  /** The failover decides; its account events go first, then the slot learns what happens next. */
  private async recordFailure(claimed: ClaimedAttempt, error: AttemptError, log: Logger): Promise<Recorded> {
    const action = await this.decideAndRecordAccountEvents(claimed, error, log);
    const { recordId } = claimed.record;
    const at = this.now();
    if (action.type === 'fail') {
      return this.recordSlot(
        claimed,
        {
          type: 'FailGeneration',
          data: {
            recordId,
            attempt: claimed.attempt,
            errorCode: action.errorCode,
            message: action.message,
            at,
          },
        },
        'failed',
        action.errorClass,
        log,
      );
    }
    // The upstream's own hint delays a retry on the same account; a switch needs no wait.
    const retryAt =
      error.retryAfterMs !== undefined && !action.excludeAccount
        ? new Date(this.deps.clock.now().getTime() + error.retryAfterMs).toISOString()
        : undefined;
    return this.recordSlot(
      claimed,
      {
        type: 'FailAttempt',
        data: {
          recordId,
          attempt: claimed.attempt,
          errorClass: action.errorClass,
          message: error.message,
          submitted: error.submitted,
          ...(error.upstreamCode === undefined ? {} : { upstreamCode: error.upstreamCode }),
          ...(retryAt === undefined ? {} : { retryAt }),
          at,
        },
      },
      'retry',
      action.errorClass,
      log,
    );
  }

  /**
   * Decides on the account as it is and appends its events at the revision read; another writer
   * in between (a second failing attempt, an admin) makes it decide again on the newer state.
   */
  private async decideAndRecordAccountEvents(
    claimed: ClaimedAttempt,
    error: AttemptError,
    log: Logger,
  ): Promise<FailoverAction> {
    const streamId = accountStreamId(claimed.accountId);
    const job = jobFromRecord(claimed.record);
    let fallback: FailoverAction | undefined;
    for (let round = 0; round <= this.config.accountConflictRetries; round++) {
      const account = await loadStream(this.deps.eventStore, streamId, accountDecider);
      if (!account.state.exists) return withoutAccount(error, claimed);
      const action = decideFailover(
        {
          error,
          job,
          attempt: { accountId: claimed.accountId, site: claimed.site },
          account: account.state,
          now: this.deps.clock.now(),
        },
        this.config.failover,
      );
      fallback = action;
      if (action.accountEvents.length === 0) return action;
      try {
        await appendIfAt(this.deps.eventStore, streamId, account.revision, action.accountEvents, {
          metadata: { ...claimed.metadata, actor: this.config.actor },
          eventIdSeed: `${claimed.record.recordId}:${claimed.attempt}:account`,
        });
        return action;
      } catch (appendError) {
        if (!(appendError instanceof WrongExpectedRevisionError)) throw appendError;
      }
    }
    log.warn('the account kept changing; the failure is recorded without account events');
    return { ...fallback!, accountEvents: [] };
  }

  private abandon(claimed: ClaimedAttempt, reason: unknown, log: Logger): Promise<Recorded> {
    const abandonReason = reason === ABORT_REASONS.shutdown ? 'shutdown' : 'lease_expired';
    log.info({ reason: abandonReason }, 'attempt abandoned');
    return this.recordSlot(
      claimed,
      {
        type: 'AbandonAttempt',
        data: {
          recordId: claimed.record.recordId,
          attempt: claimed.attempt,
          reason: abandonReason,
          at: this.now(),
        },
      },
      'abandoned',
      undefined,
      log,
    );
  }

  /**
   * Appends the outcome with ids derived from (record, attempt), so a retried write cannot append
   * twice. A STALE_ATTEMPT refusal means the record moved on (regenerated, deleted, reaped).
   */
  private async recordSlot(
    claimed: ClaimedAttempt,
    command: GenerationCommand,
    outcome: AttemptOutcome,
    errorClass: ErrorClass | undefined,
    log: Logger,
  ): Promise<Recorded> {
    for (let tries = 1; ; tries++) {
      try {
        await handleCommand(this.deps.eventStore, claimed.streamId, generationSlotDecider, command, {
          metadata: { ...claimed.metadata, actor: this.config.actor },
          eventIdSeed: `${claimed.record.recordId}:${claimed.attempt}:outcome`,
        });
        return { outcome, ...(errorClass === undefined ? {} : { errorClass }) };
      } catch (error) {
        if (isDomainError(error, 'STALE_ATTEMPT')) {
          log.info(`${command.type} refused: ${error.message}`);
          return { outcome: 'stale', ...(errorClass === undefined ? {} : { errorClass }) };
        }
        if (tries >= OUTCOME_WRITE_TRIES) {
          log.error({ err: error }, `cannot record ${command.type}`);
          return 'unrecorded';
        }
        log.warn({ err: error }, `recording ${command.type} failed; trying again`);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** tries));
      }
    }
  }

  /** Renews every third of the lease's life; a refused renewal means the lease is gone: stop. */
  private keepLeaseAlive(claimed: ClaimedAttempt, call: AbortController, log: Logger): NodeJS.Timeout {
    const { leaseTtlMs } = this.config;
    const timer = setInterval(
      () => {
        const expiresAt = new Date(this.deps.clock.now().getTime() + leaseTtlMs);
        this.deps.leases.renew(claimed.lease.leaseId, expiresAt).then(
          (renewed) => {
            if (!renewed && !call.signal.aborted) {
              log.warn('the account lease expired; the call is cut short');
              call.abort(ABORT_REASONS.leaseLost);
            }
          },
          (error: unknown) => log.warn({ err: error }, 'lease renewal failed; trying again'),
        );
      },
      Math.max(1, Math.floor(leaseTtlMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async release(leaseId: string, log: Logger): Promise<void> {
    try {
      await this.deps.leases.release(leaseId);
    } catch (error) {
      log.warn({ err: error }, 'lease release failed; it will expire');
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** An account gone from the store: nothing to change on it, and no reason to keep trying it. */
function withoutAccount(error: AttemptError, claimed: ClaimedAttempt): FailoverAction {
  if (error.errorClass === 'CONTENT_REJECTED' || error.errorClass === 'BAD_REQUEST') {
    return {
      type: 'fail',
      errorClass: error.errorClass,
      errorCode: error.errorClass,
      message: error.message,
      accountEvents: [],
    };
  }
  return {
    type: 'retry',
    errorClass: error.errorClass,
    excludePair: { accountId: claimed.accountId, site: claimed.site },
    excludeAccount: true,
    accountEvents: [],
  };
}
