import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { SqliteAccountLeases } from '../../../../../src/adapters/account-leases/sqlite-account-leases';
import { SqliteEventStore } from '../../../../../src/adapters/event-store/sqlite-event-store';
import { SqliteLocks } from '../../../../../src/adapters/locks/sqlite-locks';
import { SqliteMessageBus } from '../../../../../src/adapters/message-bus/sqlite-message-bus';
import { SqliteReadModelStore } from '../../../../../src/adapters/read-models/sqlite-read-model-store';
import { AesGcmSecretBox } from '../../../../../src/adapters/secret-box/aes-gcm-secret-box';
import { openSqliteDatabase, type SqliteDatabase } from '../../../../../src/adapters/sqlite/open-database';
import {
  accountDecider,
  DEFAULT_FAILOVER_CONFIG,
  generationSlotDecider,
  handleCommand,
  loadStream,
  type GenerationSlotState,
} from '../../../../../src/commands';
import {
  accountStreamId,
  generationStreamId,
  parseStoredEvent,
  type AccountType,
  type DomainEvent,
  type GenerationStatus,
  type Site,
} from '../../../../../src/events';
import type { JimengGateway } from '../../../../../src/jimeng/gateway';
import { HttpJimengGateway } from '../../../../../src/jimeng/http-gateway';
import type { AccountLeases } from '../../../../../src/ports/account-leases';
import type { EventStore } from '../../../../../src/ports/event-store';
import { Projector } from '../../../../../src/projections';
import {
  startSimulator,
  type RunningSimulator,
  type SessionBehaviourPatch,
} from '../../../../../src/simulator';
import { mulberry32 } from '../../../../../src/simulator/prng';
import {
  GenerationWorker,
  type GenerationWorkerConfigInput,
  type GenerationWorkerOptions,
  type WorkerObserver,
} from '../../../../../src/workers/generation';
import { EventRelay } from '../../../../../src/workers/relay';
import { waitFor } from '../../../../support/wait-for';

/** Worker settings scaled down so a test runs in a second or two. */
export const FAST_WORKER: GenerationWorkerConfigInput = {
  consumerConcurrency: 4,
  leaseTtlMs: 3_000,
  reaperIntervalMs: 100,
  heartbeatIntervalMs: 100,
  maxWaitMs: 300,
  concurrencyPollMs: 50,
  deadlines: { image: 20_000, video: 20_000 },
  failover: { ...DEFAULT_FAILOVER_CONFIG, rateLimitBaseMs: 60_000 },
  // Deterministic [0, 1) numbers for the worker's weighted choice.
  random: mulberry32(7),
};

export interface AccountSpec {
  accountId: string;
  sessionId: string;
  /** Default: domestic account on cn. */
  accountType?: AccountType;
  siteType?: Site;
  priority?: number;
  concurrencyCap?: number;
  rpmCap?: number;
}

export interface WorkerProcess {
  eventStore: EventStore;
  bus: SqliteMessageBus;
  leases: AccountLeases;
  readModels: SqliteReadModelStore;
  close(): Promise<void>;
}

/** The embedded runtime on a temp SQLite file, the simulator behind the HTTP gateway, relay and projector. */
export class Harness {
  readonly logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  readonly secretBox = new AesGcmSecretBox({ primary: { id: 'test', key: randomBytes(32) } });
  readonly eventStore: SqliteEventStore;
  readonly bus: SqliteMessageBus;
  readonly leases: SqliteAccountLeases;
  readonly readModels: SqliteReadModelStore;
  readonly gateway: HttpJimengGateway;
  private readonly relay: EventRelay;
  private readonly projector: Projector;
  private readonly workers: GenerationWorker[] = [];
  private readonly processes: WorkerProcess[] = [];
  private sequence = 0;

  private constructor(
    private readonly directory: string,
    readonly file: string,
    private readonly db: SqliteDatabase,
    readonly simulator: RunningSimulator,
  ) {
    this.eventStore = new SqliteEventStore(db, { pollIntervalMs: 20 });
    this.bus = new SqliteMessageBus(db, { pollIntervalMs: 20, retryBackoff: { initialMs: 20, maxMs: 200 } });
    this.leases = new SqliteAccountLeases(db);
    this.readModels = new SqliteReadModelStore(db);
    this.gateway = new HttpJimengGateway({ baseUrl: simulator.url });
    const clock = { now: () => new Date() };
    this.relay = new EventRelay(
      this.eventStore,
      this.bus,
      this.readModels,
      new SqliteLocks(db),
      clock,
      this.logger,
      {
        lockTtlMs: 3_000,
        batchWindowMs: 1,
        retryDelayMs: 50,
      },
    );
    this.projector = new Projector(this.eventStore, this.readModels, clock, this.logger, {
      retryDelayMs: 50,
    });
  }

  static async start(): Promise<Harness> {
    const directory = mkdtempSync(join(tmpdir(), 'jimeng-generation-worker-'));
    const file = join(directory, 'embedded.sqlite');
    const simulator = await startSimulator({
      config: {
        timeScale: 1,
        seed: 11,
        defaultBehaviour: {
          sites: ['cn'],
          latency: { image: { medianMs: 40, p95Ms: 40 }, video: { medianMs: 40, p95Ms: 40 } },
        },
      },
    });
    const harness = new Harness(directory, file, openSqliteDatabase(file), simulator);
    harness.relay.start();
    await harness.projector.start();
    return harness;
  }

  /** Registers the account (and its session in the simulator) and waits until selection can see it. */
  async registerAccount(spec: AccountSpec, behaviour: SessionBehaviourPatch = {}): Promise<void> {
    await this.simulator.control.putSession(spec.sessionId, { sites: [spec.siteType ?? 'cn'], ...behaviour });
    const result = await handleCommand(this.eventStore, accountStreamId(spec.accountId), accountDecider, {
      type: 'RegisterAccount',
      data: {
        accountId: spec.accountId,
        jimengAccount: `${spec.accountId}@example.test`,
        accountType: spec.accountType ?? 0,
        sealedSessionId: this.secretBox.seal(spec.sessionId),
        sessionHint: 'ab****yz',
        siteType: spec.siteType ?? 'cn',
        priority: spec.priority ?? 0,
        concurrencyCap: spec.concurrencyCap ?? 2,
        rpmCap: spec.rpmCap ?? 100,
        createBy: 'admin',
        at: new Date().toISOString(),
      },
    });
    await this.projected(result.position!);
  }

  /** Waits until the read models have caught up with `position` (selection reads them). */
  async projected(position: bigint): Promise<void> {
    if (!(await this.projector.waitForPosition(position, 5_000))) throw new Error('projector lags');
  }

  async requestImage(
    options: { prompt?: string; model?: string; storyboardId?: string } = {},
  ): Promise<{ streamId: string; recordId: string }> {
    this.sequence += 1;
    const storyboardId = options.storyboardId ?? `sb-${this.sequence}`;
    const recordId = `record-${this.sequence}`;
    const streamId = generationStreamId('image', 'p1', storyboardId);
    await handleCommand(this.eventStore, streamId, generationSlotDecider, {
      type: 'RequestGeneration',
      data: {
        recordId,
        kind: 'image',
        mode: 'text_to_image',
        projectId: 'p1',
        projectName: 'Project',
        storyboardId,
        workId: 'w1',
        createBy: 'tester',
        model: options.model ?? 'jimeng-4.5',
        prompt: options.prompt ?? 'a lighthouse at dawn',
        params: { ratio: '16:9' },
        at: new Date().toISOString(),
      },
    });
    return { streamId, recordId };
  }

  async regenerate(streamId: string, prompt: string): Promise<void> {
    await handleCommand(this.eventStore, streamId, generationSlotDecider, {
      type: 'RequestRegeneration',
      data: { changes: { prompt }, updateBy: 'tester', at: new Date().toISOString() },
    });
  }

  async startWorker(
    options: {
      config?: GenerationWorkerConfigInput;
      observer?: WorkerObserver;
      gateway?: JimengGateway;
      process?: WorkerProcess;
      worker?: GenerationWorkerOptions;
    } = {},
  ): Promise<GenerationWorker> {
    const proc = options.process;
    const worker = new GenerationWorker(
      {
        eventStore: proc?.eventStore ?? this.eventStore,
        bus: proc?.bus ?? this.bus,
        leases: proc?.leases ?? this.leases,
        accounts: proc?.readModels ?? this.readModels,
        gateway: options.gateway ?? this.gateway,
        secretBox: this.secretBox,
        logger: this.logger,
        ...(options.observer === undefined ? {} : { observer: options.observer }),
      },
      { ...FAST_WORKER, ...options.config },
      options.worker,
    );
    this.workers.push(worker);
    await worker.start();
    return worker;
  }

  /**
   * Another process on the same SQLite file: its own connection, event store, bus, leases and read
   * models. Its bus keeps its own in-memory consumer group, as a second process would.
   */
  otherProcess(leases?: (inner: AccountLeases) => AccountLeases): WorkerProcess {
    const db = openSqliteDatabase(this.file);
    const inner = new SqliteAccountLeases(db);
    const bus = new SqliteMessageBus(db, { pollIntervalMs: 20, retryBackoff: { initialMs: 20, maxMs: 200 } });
    const proc: WorkerProcess = {
      eventStore: new SqliteEventStore(db, { pollIntervalMs: 20 }),
      bus,
      leases: leases?.(inner) ?? inner,
      readModels: new SqliteReadModelStore(db),
      close: async () => {
        await bus.close();
        await proc.eventStore.close();
        db.close();
      },
    };
    this.processes.push(proc);
    return proc;
  }

  async rateLimit(accountId: string, until: Date): Promise<void> {
    const result = await handleCommand(this.eventStore, accountStreamId(accountId), accountDecider, {
      type: 'ChangeAccountCapability',
      data: {
        accountId,
        kind: 'image',
        status: 'rate_limited',
        until: until.toISOString(),
        reason: 'RATE_LIMITED',
        at: new Date().toISOString(),
      },
    });
    await this.projected(result.position!);
  }

  async slot(streamId: string): Promise<GenerationSlotState> {
    return (await loadStream(this.eventStore, streamId, generationSlotDecider)).state;
  }

  async events(streamId: string): Promise<DomainEvent[]> {
    return (await this.eventStore.readStream(streamId)).map((stored) => parseStoredEvent(stored));
  }

  async eventsOfType<T extends DomainEvent['type']>(
    streamId: string,
    type: T,
  ): Promise<Extract<DomainEvent, { type: T }>[]> {
    return (await this.events(streamId)).filter(
      (event): event is Extract<DomainEvent, { type: T }> => event.type === type,
    );
  }

  async waitForStatus(streamId: string, status: GenerationStatus, timeoutMs = 10_000): Promise<void> {
    await waitFor(async () => (await this.slot(streamId)).status === status, {
      timeoutMs,
      intervalMs: 20,
      message: `${streamId} ${status}`,
    });
  }

  async waitForEvent(
    streamId: string,
    type: DomainEvent['type'],
    count = 1,
    timeoutMs = 10_000,
  ): Promise<void> {
    await waitFor(async () => (await this.eventsOfType(streamId, type)).length >= count, {
      timeoutMs,
      intervalMs: 20,
      message: `${count} × ${type} in ${streamId}`,
    });
  }

  /** Live leases of an account now. */
  async inFlight(accountId: string): Promise<number> {
    return (await this.leases.load(new Date())).get(accountId)?.inFlight ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop({ graceMs: 0 })));
    for (const proc of this.processes) await proc.close();
    await this.relay.stop();
    await this.projector.stop();
    await this.bus.close();
    await this.eventStore.close();
    await this.readModels.close();
    await this.gateway.close();
    await this.simulator.stop();
    this.db.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
