import type { Logger } from 'pino';
import {
  appendIfAt,
  generationSlotDecider,
  isLive,
  loadStream,
  nextAttemptJobFor,
  planNextAttempt,
  selectAccount,
  selectionContextFor,
  isDomainError,
  type GenerationRecordState,
  type GenerationSlotState,
  type NextAttemptPlan,
  type PoolAccount,
} from '../../commands';
import type { GenerationEvent } from '../../events';
import { modelsFor } from '../../jimeng/models';
import type { AccountLeases } from '../../ports/account-leases';
import type { Clock } from '../../ports/clock';
import { WrongExpectedRevisionError, type EventMetadata, type EventStore } from '../../ports/event-store';
import type { ConsumeContext, IncomingMessage } from '../../ports/message-bus';
import type { AccountReadModel } from '../../ports/read-models';
import { decodeJob, type JobMessage } from '../jobs/job-message';
import type { ClaimedAttempt } from './claimed-attempt';
import { formatLeaseHolder } from './lease-holder';
import { poolAccountFromView } from './pool-snapshot';
import type { Reservation, RunningAttempts } from './running-attempts';
import type { WakeUp } from './wake-up';
import type { GenerationWorkerConfig } from './worker-config';
import { notify, type JobDropReason, type WorkerObserver } from './worker-observer';

export interface JobHandlerDeps {
  eventStore: EventStore;
  leases: AccountLeases;
  accounts: AccountReadModel;
  clock: Clock;
  logger: Logger;
  observer?: WorkerObserver;
  running: RunningAttempts;
  /** Woken when an attempt of this process ends (capacity may be free). */
  wakeUp: WakeUp;
  /** Aborted when the worker stops: waiting handlers give their job back to the bus. */
  stopping: AbortSignal;
  /** Starts the claimed attempt in the background. */
  launch(claimed: ClaimedAttempt): void;
}

/** Thrown by a handler that was waiting when the worker stopped: the bus redelivers its job later. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('the generation worker is stopping; the job stays on the bus');
    this.name = 'WorkerStoppingError';
  }
}

type LoadedSlot = { record: GenerationRecordState; revision: number };

/**
 * The jimeng.jobs handler (DESIGN §3). It never calls Jimeng: it waits for the job's time and for
 * local capacity (so waiting jobs stay on the bus), picks an account, leases a slot of it, claims
 * the attempt by appending GenerationStarted at the job's revision, hands the attempt to the
 * runner and returns, which commits the offset.
 */
export class JobHandler {
  constructor(
    private readonly deps: JobHandlerDeps,
    private readonly config: GenerationWorkerConfig,
  ) {}

  async handle(message: IncomingMessage, context: ConsumeContext): Promise<void> {
    let job: JobMessage;
    try {
      job = decodeJob(message.value);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, partition: message.partition, offset: message.offset },
        'malformed job message dropped',
      );
      notify(this.deps.observer, 'onJobDropped', 'malformed', undefined);
      return;
    }
    const log = this.deps.logger.child({
      streamId: job.streamId,
      recordId: job.recordId,
      revision: job.revision,
    });
    const loaded = await this.loadCurrent(job);
    if (loaded === null) return this.drop('stale', job, log);
    const delayed =
      job.notBefore !== undefined && Date.parse(job.notBefore) > this.deps.clock.now().getTime();
    if (delayed) await this.pauseUntil(Date.parse(job.notBefore!), context, false);
    const waited = (await this.waitForCapacity(context)) || delayed;
    const reservation = this.deps.running.reserve();
    try {
      // Loaded a moment ago: read again only after a wait (the claim's expected revision guards anyway).
      await this.claimLoop(job, reservation, context, log, waited ? undefined : loaded);
    } finally {
      reservation.release();
    }
  }

  private async claimLoop(
    job: JobMessage,
    reservation: Reservation,
    context: ConsumeContext,
    log: Logger,
    loaded?: LoadedSlot,
  ): Promise<void> {
    // Accounts whose last slot another worker took this round: full until the next look.
    const busy = new Set<string>();
    let fresh = loaded;
    for (;;) {
      this.assertRunning();
      const slot = fresh ?? (await this.loadCurrent(job));
      fresh = undefined;
      if (slot === null) return this.drop('stale', job, log);
      const now = this.deps.clock.now();
      const pool = await this.poolSnapshot(now, busy);
      const selection = selectAccount(pool, selectionContextFor(slot.record, now), {
        siteSupportsModel: (kind, model, site) => modelsFor(kind, site).includes(model),
        random: this.config.random,
        fallbackOrder: this.config.failover.fallbackOrder,
        concurrencyPollMs: this.config.concurrencyPollMs,
      });
      const plan = planNextAttempt(selection, nextAttemptJobFor(slot.record), now, this.config.failover);
      if (plan.type === 'fail') return this.failRecord(job, slot, plan, log);
      if (plan.type === 'wait') {
        notify(this.deps.observer, 'onWaiting', slot.record.kind, plan.until.getTime() - now.getTime());
        const until = Math.min(plan.until.getTime(), now.getTime() + this.config.maxWaitMs);
        await this.pauseUntil(until, context, true);
        busy.clear();
        continue;
      }
      const account = pool.find((candidate) => candidate.accountId === plan.accountId)!;
      const attempt = slot.record.currentAttempt + 1;
      const lease = await this.deps.leases.tryAcquire({
        accountId: account.accountId,
        holder: formatLeaseHolder({ streamId: job.streamId, recordId: job.recordId, attempt }),
        concurrencyCap: account.concurrencyCap,
        rpmCap: account.rpmCap,
        ttlMs: this.config.leaseTtlMs,
        now,
      });
      if (lease === null) {
        busy.add(account.accountId);
        continue;
      }
      reservation.leaseId = lease.leaseId;
      let claimed: ClaimedAttempt | null;
      try {
        claimed = await this.claim(job, slot, plan, lease, log);
      } catch (error) {
        await this.deps.leases.release(lease.leaseId);
        throw error;
      }
      if (claimed === null) {
        await this.deps.leases.release(lease.leaseId);
        return;
      }
      this.deps.launch(claimed);
      return;
    }
  }

  /** GenerationStarted (after SiteSwitched / AccountSwitched when the decider says so) at the job's revision. */
  private async claim(
    job: JobMessage,
    slot: LoadedSlot,
    plan: Extract<NextAttemptPlan, { type: 'start' }>,
    lease: ClaimedAttempt['lease'],
    log: Logger,
  ): Promise<ClaimedAttempt | null> {
    const { record } = slot;
    const attempt = record.currentAttempt + 1;
    let events: GenerationEvent[];
    try {
      events = generationSlotDecider.decide(
        {
          type: 'StartAttempt',
          data: {
            recordId: record.recordId,
            attempt,
            accountId: plan.accountId,
            site: plan.site,
            leaseId: lease.leaseId,
            leaseDeadline: lease.expiresAt.toISOString(),
            at: this.deps.clock.now().toISOString(),
          },
        },
        record,
      );
    } catch (error) {
      if (!isDomainError(error)) throw error;
      log.warn({ code: error.code }, `claim refused: ${error.message}`);
      this.drop('refused', job, log);
      return null;
    }
    const metadata = this.metadataOf(job);
    try {
      // Random event ids on purpose: two workers claiming one job with the same ids would both
      // look successful (the store takes a repeated last append as the same write).
      await appendIfAt(this.deps.eventStore, job.streamId, job.revision, events, { metadata });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      this.drop('claim_conflict', job, log);
      return null;
    }
    for (const event of events) {
      if (event.type === 'SiteSwitched' || event.type === 'AccountSwitched') {
        notify(
          this.deps.observer,
          'onSwitch',
          event.type === 'SiteSwitched' ? 'site' : 'account',
          event.data.reason,
          record.kind,
        );
      }
    }
    const claimedRecord = events.reduce<GenerationSlotState>(
      (state, event) => generationSlotDecider.evolve(state, event),
      record,
    ) as GenerationRecordState;
    log.debug({ attempt, accountId: plan.accountId, site: plan.site }, 'attempt claimed');
    return {
      streamId: job.streamId,
      record: claimedRecord,
      attempt,
      accountId: plan.accountId,
      site: plan.site,
      lease,
      metadata,
    };
  }

  /** No attempt can start (no account before the deadline, budget spent): the record fails. */
  private async failRecord(
    job: JobMessage,
    slot: LoadedSlot,
    plan: Extract<NextAttemptPlan, { type: 'fail' }>,
    log: Logger,
  ): Promise<void> {
    let events: GenerationEvent[];
    try {
      events = generationSlotDecider.decide(
        {
          type: 'FailGeneration',
          data: {
            recordId: slot.record.recordId,
            errorCode: plan.errorCode,
            message: plan.message,
            at: this.deps.clock.now().toISOString(),
          },
        },
        slot.record,
      );
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return this.drop('refused', job, log);
    }
    try {
      await appendIfAt(this.deps.eventStore, job.streamId, job.revision, events, {
        metadata: this.metadataOf(job),
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      return this.drop('claim_conflict', job, log);
    }
    log.info({ errorCode: plan.errorCode }, `generation failed before an attempt: ${plan.message}`);
    notify(this.deps.observer, 'onGenerationFailed', plan.errorCode, slot.record.kind);
  }

  /** The slot as the job expects it, or null when the job is stale. */
  private async loadCurrent(job: JobMessage): Promise<LoadedSlot | null> {
    const { state, revision } = await loadStream(this.deps.eventStore, job.streamId, generationSlotDecider);
    if (revision !== job.revision || !isLive(state) || state.recordId !== job.recordId) return null;
    if (state.status !== 'pending' && state.status !== 'retrying') return null;
    return { record: state, revision };
  }

  private async poolSnapshot(now: Date, busy: ReadonlySet<string>): Promise<PoolAccount[]> {
    const [views, loads] = await Promise.all([this.deps.accounts.listPool(), this.deps.leases.load(now)]);
    return views.map((view) => poolAccountFromView(view, loads.get(view.id), now, busy.has(view.id)));
  }

  /** True when it had to wait. */
  private async waitForCapacity(context: ConsumeContext): Promise<boolean> {
    let waited = false;
    while (this.deps.running.count >= this.config.maxInFlight) {
      waited = true;
      this.assertRunning();
      await this.deps.wakeUp.sleep(this.config.heartbeatIntervalMs, this.deps.stopping);
      this.assertRunning();
      await context.heartbeat();
    }
    return waited;
  }

  /**
   * Waits until `untilMs`, telling the bus it is alive in between; `wakeEarly` ends the wait when an
   * attempt of this process ends (an account's slot may have freed).
   */
  private async pauseUntil(untilMs: number, context: ConsumeContext, wakeEarly: boolean): Promise<void> {
    for (;;) {
      this.assertRunning();
      const left = untilMs - this.deps.clock.now().getTime();
      if (!(left > 0)) return;
      const end = await this.deps.wakeUp.sleep(
        Math.min(left, this.config.heartbeatIntervalMs),
        this.deps.stopping,
      );
      this.assertRunning();
      await context.heartbeat();
      if (end === 'woken' && wakeEarly) return;
    }
  }

  private assertRunning(): void {
    if (this.deps.stopping.aborted) throw new WorkerStoppingError();
  }

  private drop(reason: JobDropReason, job: JobMessage, log: Logger): void {
    log.debug({ reason }, 'job dropped');
    notify(this.deps.observer, 'onJobDropped', reason, job.kind);
  }

  private metadataOf(job: JobMessage): EventMetadata {
    return {
      actor: this.config.actor,
      ...(job.correlationId === undefined ? {} : { correlationId: job.correlationId }),
      ...(job.causationId === undefined ? {} : { causationId: job.causationId }),
    };
  }
}
