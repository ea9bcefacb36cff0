import type { Logger } from 'pino';
import type { Clock } from '../ports/clock';
import type { AllSubscription, EventStore, StoredEvent } from '../ports/event-store';
import type { Locks } from '../ports/locks';
import type { ProjectionWrite, ReadModelStore } from '../ports/read-models';
import {
  ACCOUNT_STREAM_PREFIX,
  GENERATION_STREAM_PREFIXES,
  parseStoredEvent,
  StoredEventError,
} from '../events';
import { BatchReader } from '../lib/batch-reader';
import { PositionWaiters } from './position-waiters';
import { projectEvent } from './project-event';

export interface ProjectorOptions {
  /** Checkpoint name. Default 'read-models'. */
  name?: string;
  /** Save the checkpoint after this many events... Default 100. */
  checkpointEvery?: number;
  /** ...or when this long has passed since the last save. Default 1000. */
  checkpointIntervalMs?: number;
  /** Pause before resubscribing after a failure (store unavailable, say). Default 1000. */
  retryDelayMs?: number;
  /**
   * Checkpoints of other components kept in the same store, carried over a rebuild (reset drops
   * every checkpoint). Default ['relay'].
   */
  preservedCheckpoints?: string[];
  /** Told after each applied event, with the time since it was appended (metrics). */
  onApplied?: (event: StoredEvent, lagMs: number) => void;
  /**
   * Single writer: with a lock, only the projector holding it applies events; the others wait as hot
   * standbys. Without one, the caller guarantees a single projector (the embedded profile).
   */
  lock?: { locks: Locks; owner: string; ttlMs: number };
}

export const READ_MODELS_PROJECTOR = 'read-models';

/**
 * Keeps the read models up to date: follows the event store's global order from its checkpoint and
 * applies each event's writes. Applying is idempotent per document, so the checkpoint may lag (it is
 * saved every N events or T ms and on stop): after a crash the replay from it changes nothing.
 */
export class Projector {
  private readonly name: string;
  private readonly checkpointEvery: number;
  private readonly checkpointIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly preservedCheckpoints: string[];
  private readonly waiters = new PositionWaiters();
  private running = false;
  private loop: Promise<void> | undefined;
  private subscription: AllSubscription | undefined;
  private wakeRetry: () => void = () => undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private applied: bigint | null = null;
  private saved: bigint | null = null;
  private sinceSave = 0;
  private savedAt = 0;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ProjectorOptions = {},
  ) {
    this.name = options.name ?? READ_MODELS_PROJECTOR;
    this.checkpointEvery = options.checkpointEvery ?? 100;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.preservedCheckpoints = options.preservedCheckpoints ?? ['relay'];
  }

  /** Global position of the last event applied (or of the checkpoint it started from). */
  get position(): bigint | null {
    return this.applied;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.applied = await this.store.getCheckpoint(this.name);
    this.saved = this.applied;
    this.savedAt = this.clock.now().getTime();
    this.running = true;
    this.flushTimer = setInterval(() => void this.flushQuietly(), this.checkpointIntervalMs);
    this.flushTimer.unref();
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.flushTimer);
    this.wakeRetry();
    await this.subscription?.close();
    await this.loop;
    await this.flush();
    this.waiters.cancelAll();
  }

  /**
   * Drops the read models and replays every event. Resolves once replay has started, with the head
   * position at reset time (wait for it with `waitForPosition` to know the rebuild is complete).
   */
  async rebuild(): Promise<bigint | null> {
    await this.stop();
    const preserved = await Promise.all(
      this.preservedCheckpoints.map(async (name) => [name, await this.store.getCheckpoint(name)] as const),
    );
    const head = await this.events.headPosition();
    await this.store.reset();
    for (const [name, position] of preserved) {
      if (position !== null) await this.store.saveCheckpoint(name, position);
    }
    this.logger.info({ projector: this.name, head: head?.toString() }, 'rebuilding read models');
    await this.start();
    return head;
  }

  /** Resolves true once the event at `position` (or a later one) is applied; false on timeout. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.applied !== null && this.applied >= position) return Promise.resolve(true);
    return this.waiters.wait(position, timeoutMs);
  }

  private async follow(): Promise<void> {
    while (this.running) {
      if (!(await this.holdLock())) {
        await this.pause(Math.max(1, Math.floor((this.options.lock?.ttlMs ?? 3000) / 3)));
        continue;
      }
      if (this.options.lock) {
        // Another projector may have gone further while this one waited.
        const checkpoint = await this.store.getCheckpoint(this.name);
        if (checkpoint !== null && (this.applied === null || checkpoint > this.applied)) {
          this.applied = checkpoint;
          this.saved = checkpoint;
        }
      }
      const subscription = this.events.subscribeToAll({
        from: this.applied ?? 'start',
        streamPrefixes: [ACCOUNT_STREAM_PREFIX, ...Object.values(GENERATION_STREAM_PREFIXES)],
      });
      this.subscription = subscription;
      const renewal = this.options.lock
        ? setInterval(
            () =>
              void this.holdLock().then((held) => {
                if (!held) {
                  this.logger.warn({ projector: this.name }, 'projector lost its lock; standing by');
                  void subscription.close();
                }
              }),
            Math.max(1, Math.floor(this.options.lock.ttlMs / 3)),
          )
        : undefined;
      try {
        // Whatever is already there is applied together (one transaction on SQLite), so catching
        // up after a burst costs one commit per batch, not per event; a lone event is not held back.
        const batches = new BatchReader<StoredEvent>(subscription[Symbol.asyncIterator](), 500, 0);
        for (let batch = await batches.next(); batch !== null; batch = await batches.next()) {
          if (!this.running) break;
          await this.project(batch);
        }
      } catch (error) {
        this.logger.error({ err: error, projector: this.name }, 'projection failed; resubscribing');
        await this.pause(this.retryDelayMs);
      } finally {
        clearInterval(renewal);
        await subscription.close();
      }
    }
    if (this.options.lock) {
      const { locks, owner } = this.options.lock;
      await locks.release(this.lockName, owner).catch(() => undefined);
    }
  }

  private get lockName(): string {
    return `projector:${this.name}`;
  }

  private async holdLock(): Promise<boolean> {
    if (!this.options.lock) return true;
    const { locks, owner, ttlMs } = this.options.lock;
    try {
      return await locks.acquire(this.lockName, owner, ttlMs, this.clock.now());
    } catch (error) {
      this.logger.warn({ err: error, projector: this.name }, 'projector lock unavailable');
      return false;
    }
  }

  private async project(batch: StoredEvent[]): Promise<void> {
    const fresh = batch.filter((stored) => this.applied === null || stored.position > this.applied);
    if (fresh.length === 0) return;
    const writes = fresh.map((stored) => ({ position: stored.position, writes: this.writesOf(stored) }));
    await this.store.applyMany(writes.filter((item) => item.writes.length > 0));
    const now = this.clock.now().getTime();
    for (const stored of fresh) {
      this.applied = stored.position;
      this.sinceSave += 1;
      this.waiters.reached(stored.position);
      this.options.onApplied?.(stored, Math.max(0, now - stored.createdAt.getTime()));
    }
    if (this.sinceSave >= this.checkpointEvery || now - this.savedAt >= this.checkpointIntervalMs) {
      await this.flush();
    }
  }

  private writesOf(stored: StoredEvent): ProjectionWrite[] {
    try {
      return projectEvent({ stored, event: parseStoredEvent(stored) });
    } catch (error) {
      if (!(error instanceof StoredEventError)) throw error;
      // One unreadable event must not stop every read model; it is skipped loudly.
      this.logger.error({ err: error, projector: this.name }, 'skipping an event the projection cannot read');
      return [];
    }
  }

  private async flush(): Promise<void> {
    const position = this.applied;
    if (position === null || (this.saved !== null && position <= this.saved)) return;
    await this.store.saveCheckpoint(this.name, position);
    this.saved = position;
    this.sinceSave = 0;
    this.savedAt = this.clock.now().getTime();
  }

  private async flushQuietly(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.warn({ err: error, projector: this.name }, 'checkpoint save failed');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
