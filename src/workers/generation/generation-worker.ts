import type { Logger } from 'pino';
import type { JimengGateway } from '../../jimeng/gateway';
import type { AccountLeases } from '../../ports/account-leases';
import { systemClock, type Clock } from '../../ports/clock';
import type { EventStore } from '../../ports/event-store';
import { TOPICS, type Consumer, type MessageBus } from '../../ports/message-bus';
import type { AccountReadModel } from '../../ports/read-models';
import type { SecretBox } from '../../ports/secret-box';
import { AttemptRunner } from './attempt-runner';
import { ABORT_REASONS, type ClaimedAttempt } from './claimed-attempt';
import { JobHandler } from './job-handler';
import { LeaseReaper } from './lease-reaper';
import { RunningAttempts } from './running-attempts';
import { WakeUp } from './wake-up';
import {
  generationWorkerConfig,
  type GenerationWorkerConfig,
  type GenerationWorkerConfigInput,
} from './worker-config';
import type { WorkerObserver } from './worker-observer';

export interface GenerationWorkerDeps {
  eventStore: EventStore;
  bus: MessageBus;
  leases: AccountLeases;
  accounts: AccountReadModel;
  gateway: JimengGateway;
  secretBox: SecretBox;
  logger: Logger;
  clock?: Clock;
  observer?: WorkerObserver;
}

export interface GenerationWorkerOptions {
  /** Run a LeaseReaper alongside (default true); false when one runs separately. */
  reaper?: boolean;
}

export interface StopOptions {
  /** How long running attempts may take to finish before they are abandoned. Default 0. */
  graceMs?: number;
}

/**
 * The generation worker of one process (DESIGN §3): consumes jimeng.jobs, claims attempts, runs
 * them in the background bounded by `maxInFlight`, and re-queues attempts of dead workers.
 */
export class GenerationWorker {
  readonly config: GenerationWorkerConfig;
  private readonly logger: Logger;
  private readonly wakeUp = new WakeUp();
  private readonly running = new RunningAttempts(() => this.wakeUp.wake());
  private readonly stopping = new AbortController();
  private readonly handler: JobHandler;
  private readonly runner: AttemptRunner;
  private readonly reaper: LeaseReaper | undefined;
  private consumer: Consumer | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly deps: GenerationWorkerDeps,
    config: GenerationWorkerConfigInput = {},
    options: GenerationWorkerOptions = {},
  ) {
    this.config = generationWorkerConfig(config);
    this.logger = deps.logger.child({ component: 'generation-worker' });
    const clock = deps.clock ?? systemClock;
    this.runner = new AttemptRunner(
      {
        eventStore: deps.eventStore,
        leases: deps.leases,
        gateway: deps.gateway,
        secretBox: deps.secretBox,
        clock,
        logger: this.logger,
        ...(deps.observer === undefined ? {} : { observer: deps.observer }),
      },
      this.config,
    );
    this.handler = new JobHandler(
      {
        eventStore: deps.eventStore,
        leases: deps.leases,
        accounts: deps.accounts,
        clock,
        logger: this.logger,
        ...(deps.observer === undefined ? {} : { observer: deps.observer }),
        running: this.running,
        wakeUp: this.wakeUp,
        stopping: this.stopping.signal,
        launch: (claimed) => this.launch(claimed),
      },
      this.config,
    );
    this.reaper =
      options.reaper === false
        ? undefined
        : new LeaseReaper(
            {
              eventStore: deps.eventStore,
              leases: deps.leases,
              clock,
              logger: this.logger,
              holdsLease: (leaseId) => this.running.holds(leaseId),
            },
            { intervalMs: this.config.reaperIntervalMs, actor: this.config.actor },
          );
  }

  /** Attempts running in this process (and claims being made). */
  get inFlight(): number {
    return this.running.count;
  }

  async start(): Promise<void> {
    if (this.consumer !== undefined || this.stopping.signal.aborted)
      throw new Error('worker already started');
    this.consumer = await this.deps.bus.subscribe({
      groupId: this.config.groupId,
      topics: [TOPICS.jobs],
      concurrency: this.config.consumerConcurrency,
      handler: (message, context) => this.handler.handle(message, context),
    });
    this.reaper?.start();
    this.logger.info(
      { maxInFlight: this.config.maxInFlight, concurrency: this.config.consumerConcurrency },
      'generation worker started',
    );
  }

  /**
   * Stops taking jobs (waiting handlers hand theirs back to the bus), lets running attempts finish
   * for `graceMs`, then abandons the rest (AttemptAbandoned {reason: 'shutdown'}, lease released),
   * so the relay re-queues them: nothing accepted is lost.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.graceMs ?? 0);
    return this.stopped;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopping.abort();
    await this.consumer?.stop();
    await this.reaper?.stop();
    const finished = await this.running.settle(graceMs);
    if (!finished) {
      this.logger.info({ running: this.running.count }, 'grace period over: abandoning running attempts');
      await this.running.abortAll(ABORT_REASONS.shutdown);
    }
    this.logger.info('generation worker stopped');
  }

  private launch(claimed: ClaimedAttempt): void {
    const controller = new AbortController();
    const done = this.runner.run(claimed, controller.signal);
    this.running.track(claimed.lease.leaseId, controller, done);
  }
}
