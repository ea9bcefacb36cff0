import type { Logger } from 'pino';
import { generationSlotDecider, handleCommand, isDomainError, isLive, loadStream } from '../../commands';
import type { AccountLeases, Lease } from '../../ports/account-leases';
import type { Clock } from '../../ports/clock';
import type { EventStore } from '../../ports/event-store';
import { parseLeaseHolder } from './lease-holder';

export interface LeaseReaperDeps {
  eventStore: EventStore;
  leases: AccountLeases;
  clock: Clock;
  logger: Logger;
  /** Leases of attempts alive in this process: never reaped here, whatever their expiry says. */
  holdsLease?: (leaseId: string) => boolean;
}

export interface LeaseReaperConfig {
  intervalMs: number;
  actor: string;
}

/**
 * Re-queues attempts whose worker died (DESIGN §3): an expired lease whose attempt is still the
 * slot's running one gets AttemptAbandoned {reason: 'lease_expired'}, which the relay turns into a
 * new job. Expired leases are released in every case, so the account's capacity comes back.
 * Several reapers (one per worker instance) may run: the slot's decider refuses a second abandon.
 */
export class LeaseReaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: LeaseReaperDeps,
    private readonly config: LeaseReaperConfig,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.reapOnce()
        .then(
          () => undefined,
          (error: unknown) =>
            this.deps.logger.warn({ err: error }, 'lease reaping failed; next round retries'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.config.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; returns how many attempts it abandoned. */
  async reapOnce(): Promise<number> {
    const expired = await this.deps.leases.expired(this.deps.clock.now());
    let abandoned = 0;
    for (const lease of expired) {
      if (this.deps.holdsLease?.(lease.leaseId)) continue;
      if (await this.reap(lease)) abandoned += 1;
    }
    return abandoned;
  }

  private async reap(lease: Lease): Promise<boolean> {
    const holder = parseLeaseHolder(lease.holder);
    const log = this.deps.logger.child({ leaseId: lease.leaseId, accountId: lease.accountId, ...holder });
    let abandoned = false;
    try {
      if (holder !== null) {
        const { state } = await loadStream(this.deps.eventStore, holder.streamId, generationSlotDecider);
        const running =
          isLive(state) &&
          state.recordId === holder.recordId &&
          state.status === 'processing' &&
          state.currentAttempt === holder.attempt &&
          state.leaseId === lease.leaseId;
        if (running) {
          await handleCommand(
            this.deps.eventStore,
            holder.streamId,
            generationSlotDecider,
            {
              type: 'AbandonAttempt',
              data: {
                recordId: holder.recordId,
                attempt: holder.attempt,
                reason: 'lease_expired',
                at: this.deps.clock.now().toISOString(),
              },
            },
            {
              metadata: { actor: this.config.actor },
              eventIdSeed: `${holder.recordId}:${holder.attempt}:reaped`,
            },
          );
          abandoned = true;
          log.warn('attempt abandoned: its lease expired (worker gone?)');
        }
      } else {
        log.warn({ holder: lease.holder }, 'expired lease with an unknown holder released');
      }
    } catch (error) {
      // Another reaper or the attempt's own outcome got there first.
      if (!isDomainError(error, 'STALE_ATTEMPT')) throw error;
    }
    await this.deps.leases.release(lease.leaseId);
    return abandoned;
  }
}
