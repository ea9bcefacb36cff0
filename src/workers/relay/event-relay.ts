import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ACCOUNT_STREAM_PREFIX, GENERATION_STREAM_PREFIXES } from '../../events';
import type { Clock } from '../../ports/clock';
import type { AllSubscription, EventStore, StoredEvent } from '../../ports/event-store';
import type { Locks } from '../../ports/locks';
import type { MessageBus } from '../../ports/message-bus';
import type { ReadModelStore } from '../../ports/read-models';
import { BatchReader } from '../../lib/batch-reader';
import { relayMessages } from './relay-messages';

export type RelayCheckpoints = Pick<ReadModelStore, 'getCheckpoint' | 'saveCheckpoint'>;

export interface EventRelayOptions {
  /** This relay's name in the lock. Default `relay-<uuid>`. */
  owner?: string;
  /** Lock name and checkpoint name. Default 'relay'. */
  name?: string;
  /** Lock lifetime; a relay that stops renewing loses it after this. Default 15 000. */
  lockTtlMs?: number;
  /** How often the holder renews the lock while waiting for events. Default ttl / 3. */
  lockRenewIntervalMs?: number;
  /** How often a relay without the lock tries to take it. Default ttl / 3. */
  lockRetryMs?: number;
  /** Most events published in one call. Default 500. */
  batchSize?: number;
  /** How long a batch waits for more events after its first. Default 5. */
  batchWindowMs?: number;
  /** Pause after a failure (publish, checkpoint, subscription) before resuming from the checkpoint. Default 1000. */
  retryDelayMs?: number;
  /** Told after each published batch (metrics). */
  onPublished?: (events: number, lastPosition: bigint) => void;
}

/**
 * The event store is the outbox (DESIGN §1): the relay follows it from its checkpoint and publishes
 * every event to `jimeng.events` and the job triggers to `jimeng.jobs`, a batch at a time, saving
 * the checkpoint only after the bus accepted the batch (at-least-once; a republished job loses its
 * claim on the expected revision, a republished event is harmless to idempotent consumers).
 *
 * One relay publishes at a time (two would interleave and reorder the topics): it holds a named
 * lock, renews it while idle and right before each publish, and goes back to waiting for the lock as
 * soon as a renewal fails.
 */
export class EventRelay {
  private readonly owner: string;
  private readonly name: string;
  private readonly lockTtlMs: number;
  private readonly lockRenewIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private readonly retryDelayMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private subscription: AllSubscription | undefined;
  private wakePause: () => void = () => undefined;
  private leader = false;
  /** performance.now() of the last successful renewal. */
  private renewedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly events: EventStore,
    private readonly bus: MessageBus,
    private readonly checkpoints: RelayCheckpoints,
    private readonly locks: Locks,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: EventRelayOptions = {},
  ) {
    this.owner = options.owner ?? `relay-${randomUUID()}`;
    this.name = options.name ?? 'relay';
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.lockRenewIntervalMs = options.lockRenewIntervalMs ?? Math.max(1, Math.floor(this.lockTtlMs / 3));
    this.lockRetryMs = options.lockRetryMs ?? Math.max(1, Math.floor(this.lockTtlMs / 3));
    this.batchSize = options.batchSize ?? 500;
    this.batchWindowMs = options.batchWindowMs ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  /** Whether this relay holds the lock and publishes. */
  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.supervise();
  }

  /** Stops publishing and releases the lock; the checkpoint stays at the last published batch. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakePause();
    await this.subscription?.close();
    await this.loop;
  }

  private async supervise(): Promise<void> {
    while (this.running) {
      if (!(await this.renewLock())) {
        await this.pause(this.lockRetryMs);
        continue;
      }
      this.logger.info({ owner: this.owner }, 'relay took the lock; publishing');
      try {
        await this.publishWhileLeader();
      } catch (error) {
        this.logger.error({ err: error, owner: this.owner }, 'relay failed; resuming from the checkpoint');
        await this.pause(this.retryDelayMs);
      }
      if (this.running && !this.leader) this.logger.warn({ owner: this.owner }, 'relay lost the lock');
    }
    this.leader = false;
    await this.locks.release(this.name, this.owner).catch((error: unknown) => {
      this.logger.warn({ err: error, owner: this.owner }, 'relay lock release failed');
    });
  }

  private async publishWhileLeader(): Promise<void> {
    const from = await this.checkpoints.getCheckpoint(this.name);
    const subscription = this.events.subscribeToAll({
      from: from ?? 'start',
      streamPrefixes: [ACCOUNT_STREAM_PREFIX, ...Object.values(GENERATION_STREAM_PREFIXES)],
    });
    this.subscription = subscription;
    // Renewal while idle; a lost lock closes the subscription, which ends the wait for events.
    const renewal = setInterval(() => {
      void this.renewLock().then((held) => {
        if (!held) void subscription.close();
      });
    }, this.lockRenewIntervalMs);
    try {
      const batches = new BatchReader<StoredEvent>(
        subscription[Symbol.asyncIterator](),
        this.batchSize,
        this.batchWindowMs,
      );
      for (;;) {
        const batch = await batches.next();
        if (batch === null || !this.running) return;
        // Never publish on an old renewal: the lock may have lapsed while waiting for events.
        if (!(await this.holdFreshLock())) return;
        await this.bus.publish(batch.flatMap(relayMessages));
        const last = batch[batch.length - 1]!.position;
        await this.checkpoints.saveCheckpoint(this.name, last);
        this.options.onPublished?.(batch.length, last);
      }
    } finally {
      clearInterval(renewal);
      await subscription.close();
    }
  }

  /**
   * A renewal younger than the renewal interval still holds the lock for most of its lifetime, as
   * between two idle renewals: a busy relay does not write a lock version per batch (each one a
   * lock-store write on the publishing path), only one per interval.
   */
  private async holdFreshLock(): Promise<boolean> {
    if (this.leader && performance.now() - this.renewedAt < this.lockRenewIntervalMs) return true;
    return this.renewLock();
  }

  /** Takes or renews the lock; any failure counts as not holding it. */
  private async renewLock(): Promise<boolean> {
    try {
      const startedAt = performance.now();
      this.leader =
        this.running && (await this.locks.acquire(this.name, this.owner, this.lockTtlMs, this.clock.now()));
      if (this.leader) this.renewedAt = startedAt;
    } catch (error) {
      this.logger.warn({ err: error, owner: this.owner }, 'relay lock renewal failed');
      this.leader = false;
    }
    return this.leader;
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
