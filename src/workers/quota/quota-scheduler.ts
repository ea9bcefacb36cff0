import type { Logger } from 'pino';
import { accountDecider, handleCommand, isDomainError } from '../../commands';
import { accountStreamId } from '../../events';
import type { Clock } from '../../ports/clock';
import type { EventStore } from '../../ports/event-store';
import type { AccountReadModel, AccountView } from '../../ports/read-models';

export interface QuotaSchedulerOptions {
  /** How often the pool is checked. Default 30 000. */
  intervalMs?: number;
}

const ACTOR = 'quota-scheduler';

/**
 * Resets each account's daily usage when its quota day ends (requirement 2.1 额度重置): every
 * interval, accounts of the pool whose next reset time has passed get ResetAccountQuota. The reset
 * also re-enables a capability that was unavailable until the reset (credits ran out).
 *
 * Any number of schedulers may run: the decider ignores a reset for a quota day already reset, and
 * the event ids derive from (account, reset time), so a retried append cannot add a second reset.
 */
export class QuotaScheduler {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly accounts: AccountReadModel,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: QuotaSchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 30_000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .catch((error: unknown) => this.logger.error({ err: error }, 'quota reset check failed'))
        .finally(() => (this.ticking = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One check of the pool; resolves with the ids of the accounts it reset. */
  async tick(): Promise<string[]> {
    const now = this.clock.now();
    const due = (await this.accounts.listPool()).filter(
      (account) => !account.isDeleted && Date.parse(account.nextQuotaResetAt) <= now.getTime(),
    );
    const reset: string[] = [];
    for (const account of due) {
      try {
        if (await this.reset(account, now)) reset.push(account.id);
      } catch (error) {
        this.logger.error({ err: error, accountId: account.id }, 'quota reset failed');
      }
    }
    return reset;
  }

  private async reset(account: AccountView, now: Date): Promise<boolean> {
    try {
      const result = await handleCommand(
        this.events,
        accountStreamId(account.id),
        accountDecider,
        { type: 'ResetAccountQuota', data: { accountId: account.id, at: now.toISOString() } },
        {
          eventIdSeed: `quota:${account.id}:${account.nextQuotaResetAt}`,
          metadata: { actor: ACTOR, correlationId: `quota:${account.id}:${account.nextQuotaResetAt}` },
        },
      );
      if (result.events.length === 0) return false;
      this.logger.info(
        { accountId: account.id, events: result.events.map((event) => event.type) },
        'account quota reset',
      );
      return true;
    } catch (error) {
      // Deleted or never registered since the read model saw it: nothing to reset.
      if (isDomainError(error, 'ACCOUNT_DELETED') || isDomainError(error, 'ACCOUNT_NOT_FOUND')) return false;
      throw error;
    }
  }
}
