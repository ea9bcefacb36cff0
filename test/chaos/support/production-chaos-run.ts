import { MongoClient, type Db } from 'mongodb';
import { COMPOSE_ROLES } from '../../integration/e2e/production-support/service-process';
import { EsdbEventStore } from '../../../src/adapters/event-store/esdb-event-store';
import {
  MongoReadModelStore,
  READ_MODEL_COLLECTIONS,
} from '../../../src/adapters/read-models/mongo-read-model-store';
import { systemClock } from '../../../src/ports/clock';
import { Projector, READ_MODELS_PROJECTOR } from '../../../src/projections/projector';
import { createLogger } from '../../../src/runtime/logger';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { startFerretDb, type FerretDbServer } from '../../infra/ferretdb';
import { startKafka, type KafkaServer } from '../../infra/kafka';
import type { ExitInfo } from '../../infra/process';
import { ApiClient } from '../../integration/e2e/support/api-client';
import { recordPage } from '../../integration/e2e/support/records';
import {
  planStoryboards,
  registerAccounts,
  submitStoryboards,
} from '../../integration/e2e/support/storyboards';
import { startJimengTap, type JimengTap } from '../../integration/e2e/production-support/jimeng-tap';
import { diagnosePipeline } from '../../integration/e2e/production-support/pipeline-diagnosis';
import {
  CONCURRENCY_CAP,
  POOL,
  RPM_CAP,
  SIMULATOR_CONFIG,
} from '../../integration/e2e/production-support/pool-scenario';
import { waitFor } from '../../support/wait-for';
import { chaosFigures, type ChaosFigures } from './chaos-figures';
import type { ChaosRandom } from './chaos-random';
import { readHistory } from './event-history';
import { startCluster, type ProductionCluster } from './production-cluster';
import { countTerminal, pause } from './progress';
import { diffReadModels, type ReadModelDiff, type ReadModelSnapshot } from './read-model-diff';
import { checkRunOutcomes, type RunOutcomes } from './run-outcomes';

export interface ProductionChaosOptions {
  label: string;
  storyboards: number;
  workerKills: number;
  /** Kafka broker crashes (SIGKILL, then started again on the same ports and data). */
  kafkaRestarts: number;
  /**
   * How long the MongoDB-wire server is stopped, once (0: never). It needs a FerretDB of the
   * test's own; without an outage the set-up's shared one is used.
   */
  mongoOutageMs: number;
  random: ChaosRandom;
  settleTimeoutMs: number;
}

export interface ProductionChaosResult {
  figures: ChaosFigures;
  outcomes: RunOutcomes;
  rebuild: ReadModelDiff;
  /** How each killed worker ended, and its generations in flight at the moment. */
  kills: { worker: string; exit: ExitInfo; inFlight: number; done: number }[];
  /** Processes that ended on their own after starting (each was started again). */
  crashes: readonly string[];
  /** Processes that gave up starting, e.g. with the broker down (each was started again). */
  failedStarts: readonly string[];
  /** How each process ended on SIGTERM after the run. */
  finalExits: Record<string, ExitInfo>;
  upstreamCapViolations: number;
}

const WORKERS = ['worker-1', 'worker-2'] as const;
const ROLES = COMPOSE_ROLES;
/**
 * The healthy half of the e2e pool (four domestic accounts, two on hk, two slots each): the faults
 * here are the processes' and the servers', not the accounts' (the e2e pipeline test covers those).
 */
const CHAOS_POOL = POOL.filter((account) => account.fault === 'none');
/** Short, so a killed worker's attempts and relay lock come back within seconds. */
const CLUSTER_ENV = { LEASE_TTL_MS: '3000', RELAY_LOCK_TTL_MS: '3000', KAFKA_SESSION_TIMEOUT_MS: '6000' };
/** Every 25th prompt asks for forbidden content: those records fail with CONTENT_REJECTED. */
const isContent = (index: number) => index % 25 === 12;

type Fault = 'worker' | 'kafka' | 'mongo';

function required(name: 'ESDB_URL' | 'MONGO_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through a jest project with the global set-up`);
  return value;
}

/**
 * The production profile (api, relay, projector, two workers, each its own process) on a Kafka
 * broker and, with an outage planned, a MongoDB-wire server of this run: workers SIGKILLed and
 * restarted at random points, the broker crashed and restarted, the MongoDB-wire server stopped for
 * a while. Returns what the run left in the event store and the read models; the caller asserts.
 */
export async function runProductionChaos(options: ProductionChaosOptions): Promise<ProductionChaosResult> {
  const { random } = options;
  const esdbUrl = required('ESDB_URL');
  let kafka: KafkaServer | undefined;
  let ferret: FerretDbServer | undefined;
  let simulator: RunningSimulator | undefined;
  let cluster: ProductionCluster | undefined;
  const taps = new Map<string, JimengTap>();
  let mongo: MongoClient | undefined;
  try {
    [kafka, ferret, simulator] = await Promise.all([
      startKafka(),
      options.mongoOutageMs > 0 ? startFerretDb() : undefined,
      startSimulator({ port: 0, config: SIMULATOR_CONFIG }),
    ]);
    const mongoUrl = ferret?.url ?? required('MONGO_URL');
    for (const account of POOL)
      await simulator.control.putSession(account.simulatorSession, account.behaviour);
    for (const worker of WORKERS) taps.set(worker, await startJimengTap(simulator.url));
    const jimeng = simulator.url;
    cluster = await startCluster({
      label: options.label,
      esdbUrl,
      mongoUrl,
      kafkaBrokers: kafka.brokers,
      jimengBaseUrl: (name) => taps.get(name)?.url ?? jimeng,
      roles: ROLES,
      env: CLUSTER_ENV,
    });
    const running = cluster;
    const apiUrl = cluster.service('api').url;
    const admin = new ApiClient(apiUrl, cluster.adminKey);
    const service = new ApiClient(apiUrl, cluster.serviceKey);
    const viewer = new ApiClient(apiUrl, cluster.viewerKey);
    const batch = {
      projectId: `chaos-${options.label}-${Date.now().toString(36)}`,
      projectName: 'Chaos',
      workId: `work-${options.label}`,
      createBy: 'chaos.production',
    };
    const filter = { createBy: batch.createBy, workId: batch.workId };
    const planned = planStoryboards(options.storyboards, {
      prefix: options.label,
      modes: ['text_to_image', 'text_to_image', 'text_to_video', 'text_to_image', 'text_to_image'],
      contentWord: 'forbidden',
      isContent,
    });

    /** A stalled run's error, with where the pipeline stands. */
    const diagnosed = async (error: Error): Promise<never> => {
      const diagnosis = await diagnosePipeline({
        esdbUrl,
        mongoUrl,
        database: running.database,
        kafkaBrokers: kafka!.brokers,
      });
      const counts = await Promise.all(
        (['image', 'video'] as const).flatMap((kind) =>
          [0, 1, 2, 3, 4].map(async (generationStatus) => {
            const page = await recordPage(viewer, kind, { ...filter, generationStatus }, 1, 1).catch(
              () => undefined,
            );
            return `${kind}:${generationStatus}=${page?.total ?? '?'}`;
          }),
        ),
      );
      throw new Error(`${error.message}\nrecords by status: ${counts.join(' ')}\n${diagnosis}`, {
        cause: error,
      });
    };

    const outcome = await withOutput(running, async () => {
      // Given the pool registered and visible to the workers
      await registerAccounts(
        admin,
        'chaos.ops',
        CHAOS_POOL.map((account) => ({
          jimengAccount: account.jimengAccount,
          sessionId: account.sessionId,
          priority: account.priority,
          concurrencyCap: CONCURRENCY_CAP,
          rpmCap: RPM_CAP,
        })),
      );
      await waitFor(
        async () =>
          (await admin.ok<{ total: number }>('GET', '/api/v1/accounts?createBy=chaos.ops&pageSize=1'))
            .total === CHAOS_POOL.length,
        { timeoutMs: 30_000, intervalMs: 100, message: 'the accounts in the read model' },
      );
      // and every storyboard accepted
      const runStarted = Date.now();
      const recordIds = await submitStoryboards(service, batch, planned, 100);

      // When the faults strike at random points of the run, one after another
      const plan: Fault[] = [
        ...Array.from({ length: options.workerKills }, () => 'worker' as const),
        ...Array.from({ length: options.kafkaRestarts }, () => 'kafka' as const),
        ...(options.mongoOutageMs > 0 ? (['mongo'] as const) : []),
      ];
      shuffle(plan, random);
      const kills: ProductionChaosResult['kills'] = [];
      const faults: Record<string, number> = {};
      /** The latest restart of each killed worker; `down`: killed and not started yet. */
      const restarting = new Map<string, Promise<void>>();
      const down = new Set<string>();
      const restartFailures: unknown[] = [];
      const outages: Promise<void>[] = [];
      // The count through the API, which fails while MongoDB is down (an outage runs in the
      // background): asked again until it answers.
      const terminalNow = async () =>
        (
          await waitFor(async () => ({ count: await countTerminal(viewer, batch) }), {
            timeoutMs: options.settleTimeoutMs,
            intervalMs: 200,
            message: 'the count of finished records',
          })
        ).count;
      for (const [index, fault] of plan.entries()) {
        await pause(random.int(100, 1000));
        // The next fault strikes at a random share of what is left for it, so every fault finds
        // work outstanding however unevenly the run goes (a fixed schedule fell behind a run that
        // sped up after the outages).
        const current = await terminalNow();
        const share = (options.storyboards - current) / (plan.length - index + 1);
        // Never past 70 %: progress is read from the read models, which show the end of a run in
        // bursts (the projector applies batches; a short run went from under 85 % to done within
        // one poll).
        const point = Math.min(
          current + Math.floor(share * (0.1 + 0.6 * random.next())),
          Math.max(current, Math.floor(options.storyboards * 0.7)),
        );
        await waitFor(async () => (await countTerminal(viewer, batch)) >= point, {
          timeoutMs: options.settleTimeoutMs,
          // Each poll is four count queries, which FerretDB answers by scanning the records: a
          // 100 ms poll kept it busier than a 2,000-storyboard run itself.
          intervalMs: options.storyboards > 500 ? 400 : 100,
          message: `${point} storyboards done`,
        }).catch(diagnosed);
        if (fault === 'worker') {
          // Any worker that is running or starting may be killed; one killed a moment ago and not
          // started yet is left alone.
          if (down.size === WORKERS.length) await Promise.race(restarting.values());
          const alive = WORKERS.filter((name) => !down.has(name));
          // The kill means most while the worker has generations in flight: that one, if any.
          const generating = alive.filter((name) => taps.get(name)!.inFlight > 0);
          const worker = random.pick(generating.length > 0 ? generating : alive);
          const inFlight = taps.get(worker)!.inFlight;
          const done = await terminalNow();
          const exit = await running.kill(worker);
          kills.push({ worker, exit, inFlight, done });
          count(faults, 'worker SIGKILL + restart');
          // Down for a moment (its partitions move to the other worker), then started again while
          // the run, and the next faults, go on.
          down.add(worker);
          const previous = restarting.get(worker) ?? Promise.resolve();
          const restart = previous
            .then(() => pause(random.int(0, 1500)))
            .then(() => {
              down.delete(worker);
              return running.restart(worker);
            })
            .catch((error: unknown) => void restartFailures.push(error));
          restarting.set(worker, restart);
        } else if (fault === 'kafka') {
          // The broker comes back in the background, as a worker does: a short run would
          // otherwise finish while the loop waits for it, leaving the next faults no work.
          await kafka!.halt({ signal: 'SIGKILL' });
          count(faults, 'Kafka broker SIGKILL + restart');
          outages.push(kafka!.resume().catch((error: unknown) => void restartFailures.push(error)));
        } else {
          await ferret!.halt();
          count(faults, `MongoDB-wire server stopped ${options.mongoOutageMs / 1000} s`);
          outages.push(
            pause(options.mongoOutageMs)
              .then(() => ferret!.resume())
              .catch((error: unknown) => void restartFailures.push(error)),
          );
        }
      }

      await Promise.all([...restarting.values(), ...outages]);
      if (restartFailures.length > 0) throw restartFailures[0];

      // Then every storyboard ends
      await waitFor(async () => (await countTerminal(viewer, batch)) === options.storyboards, {
        timeoutMs: options.settleTimeoutMs,
        intervalMs: 500,
        message: `all ${options.storyboards} records completed or failed`,
      }).catch(diagnosed);
      const runMs = Date.now() - runStarted;
      const stats = await simulator!.control.stats();

      // and, once every process but the projector has stopped, the projector has caught up
      const finalExits = await running.terminate(['api', 'relay', ...WORKERS]);
      const events = new EsdbEventStore(esdbUrl);
      mongo = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
      const liveDb = mongo.db(running.database);
      try {
        const head = await events.headPosition();
        const readModels = new MongoReadModelStore(liveDb);
        await waitFor(
          async () =>
            head === null || ((await readModels.getCheckpoint(READ_MODELS_PROJECTOR)) ?? -1n) >= head,
          { timeoutMs: 60_000, intervalMs: 200, message: 'the projector at the head' },
        );
        Object.assign(finalExits, await running.terminate(['projector']));

        const live = await mongoSnapshot(liveDb);
        const from = running.startHead ?? 'start';
        const streams = await readHistory(events, from, [
          `image-${batch.projectId}.`,
          `video-${batch.projectId}.`,
        ]);
        const records = new Map(
          [...live.records.values()].map((doc) => [
            doc['_id'] as string,
            {
              generationStatus: doc['generationStatus'] as number,
              errorCode: doc['errorCode'] as string | null,
            },
          ]),
        );
        const outcomes = checkRunOutcomes(
          batch.projectId,
          planned.map((storyboard, i) => ({
            kind: storyboard.kind,
            storyboardId: storyboard.storyboardId,
            recordId: recordIds.get(storyboard.storyboardId)!,
            contentRejected: isContent(i),
          })),
          streams,
          records,
        );
        const rebuild = diffReadModels(
          live,
          await rebuildReadModels(events, mongo.db(`${running.database}_rebuild`), running.startHead, head),
        );
        const figures = chaosFigures(
          `production ${options.label}`,
          random.seed,
          faults,
          outcomes,
          rebuild,
          runMs,
        );
        return {
          figures,
          outcomes,
          rebuild,
          kills,
          crashes: [...running.crashes],
          failedStarts: [...running.failedStarts],
          finalExits,
          upstreamCapViolations: stats.totals.capViolations,
        };
      } finally {
        await events.close();
      }
    });
    return outcome;
  } finally {
    if (mongo && cluster) {
      await mongo
        .db(cluster.database)
        .dropDatabase()
        .catch(() => undefined);
      await mongo
        .db(`${cluster.database}_rebuild`)
        .dropDatabase()
        .catch(() => undefined);
    }
    await mongo?.close();
    await cluster?.stop();
    await Promise.all([...taps.values()].map((tap) => tap.close()));
    await simulator?.stop();
    await kafka?.stop();
    await ferret?.stop();
  }
}

/**
 * A fresh projector, in this process, on an empty database: from where the cluster's projector
 * started (`from`) to `head`, the same events the live read models were built from.
 */
async function rebuildReadModels(
  events: EsdbEventStore,
  db: Db,
  from: bigint | null,
  head: bigint | null,
): Promise<ReadModelSnapshot> {
  const store = new MongoReadModelStore(db);
  if (from !== null) await store.saveCheckpoint(READ_MODELS_PROJECTOR, from);
  const projector = new Projector(events, store, systemClock, createLogger('silent'));
  await projector.start();
  try {
    if (head !== null && !(await projector.waitForPosition(head, 300_000))) {
      throw new Error(`the rebuild did not reach the head ${head} within 300 s`);
    }
  } finally {
    await projector.stop();
  }
  return mongoSnapshot(db);
}

async function mongoSnapshot(db: Db): Promise<ReadModelSnapshot> {
  const all = async (name: string) => db.collection<{ _id: string }>(name).find({}).toArray();
  const [accounts, images, videos] = await Promise.all([
    all(READ_MODEL_COLLECTIONS.accounts),
    all(READ_MODEL_COLLECTIONS.image),
    all(READ_MODEL_COLLECTIONS.video),
  ]);
  return {
    accounts: new Map(accounts.map((doc) => [doc._id, doc as Record<string, unknown>])),
    records: new Map([
      ...images.map((doc) => [`image/${doc._id}`, doc as Record<string, unknown>] as const),
      ...videos.map((doc) => [`video/${doc._id}`, doc as Record<string, unknown>] as const),
    ]),
  };
}

async function withOutput<T>(cluster: ProductionCluster, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\nProcess output:\n${cluster.describe()}`, { cause: error });
  }
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

function shuffle<T>(items: T[], random: ChaosRandom): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
