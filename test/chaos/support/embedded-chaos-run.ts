import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../src/adapters/event-store/sqlite-event-store';
import { SqliteReadModelStore } from '../../../src/adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase, type SqliteDatabase } from '../../../src/adapters/sqlite/open-database';
import { systemClock } from '../../../src/ports/clock';
import { Projector } from '../../../src/projections/projector';
import { createLogger } from '../../../src/runtime/logger';
import { ApiClient } from '../../integration/e2e/support/api-client';
import {
  pickPorts,
  startChildRuntime,
  type ChildExit,
  type ChildRuntime,
} from '../../integration/e2e/support/child-runtime';
import { embeddedEnv, tempDataDir, TEST_KEYS } from '../../integration/e2e/support/embedded-env';
import { waitForAllRecordsTerminal } from '../../integration/e2e/support/records';
import {
  configureRestartSessions,
  expectedCounts,
  registerRestartPool,
} from '../../integration/e2e/support/restart-scenario';
import { SimulatorControlClient } from '../../integration/e2e/support/simulator-control';
import { planStoryboards, submitStoryboards } from '../../integration/e2e/support/storyboards';
import { waitFor } from '../../support/wait-for';
import { chaosFigures, type ChaosFigures } from './chaos-figures';
import { faultPoints, type ChaosRandom } from './chaos-random';
import { readHistory } from './event-history';
import { diffReadModels, type ReadModelDiff, type ReadModelSnapshot } from './read-model-diff';
import { checkRunOutcomes, type AcceptedStoryboard, type RunOutcomes } from './run-outcomes';
import { countTerminal, pause } from './progress';

export interface EmbeddedChaosOptions {
  /** Names the data directory, the storyboards and the figures. */
  label: string;
  storyboards: number;
  kills: number;
  random: ChaosRandom;
  /** For the whole run to end once the last kill is survived. */
  settleTimeoutMs: number;
}

export interface EmbeddedChaosResult {
  figures: ChaosFigures;
  outcomes: RunOutcomes;
  rebuild: ReadModelDiff;
  /** How each killed process ended (all SIGKILL) and how the last one ended on SIGTERM. */
  killExits: ChildExit[];
  finalExit: ChildExit;
  /** Finished storyboards when each kill struck. */
  doneAtKills: number[];
}

/** Images ~0.2 s, videos ~1 s: with 12 slots, a dozen attempts are in flight at any kill. */
const RUN_ENV = {
  SIMULATOR_TIME_SCALE: '0.005',
  // A dead process's attempts come back after this (the default 30 s would make the run slow).
  LEASE_TTL_MS: '3000',
  LOG_LEVEL: 'error',
};

/** Every 50th prompt asks for forbidden content: those records fail, for a recorded reason. */
const isContent = (index: number) => index % 50 === 25;

/**
 * The embedded runtime as `npm start` runs it, killed with SIGKILL `kills` times at random points of
 * a run and started again on the same DATA_DIR each time. Returns what the run left in the event
 * store and the read models; the caller asserts.
 */
export async function runEmbeddedChaos(options: EmbeddedChaosOptions): Promise<EmbeddedChaosResult> {
  const { random } = options;
  const dataDir = tempDataDir(`chaos-${options.label}`);
  const children: ChildRuntime[] = [];
  try {
    const { port, simulatorPort } = await pickPorts();
    const env = embeddedEnv(dataDir.path, {
      ...RUN_ENV,
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
    });
    const start = async () => {
      const child = await startChildRuntime(env, { readyTimeoutMs: 60_000 });
      children.push(child);
      // The built-in simulator starts afresh with its process: tell it the sessions again.
      await configureRestartSessions(new SimulatorControlClient(child.simulatorUrl));
      return child;
    };
    let current = await start();
    const api = (key: string) => new ApiClient(current.baseUrl, key);
    const [admin, service, viewer] = [api(TEST_KEYS.admin), api(TEST_KEYS.service), api(TEST_KEYS.viewer)];
    const batch = {
      projectId: `chaos-${options.label}`,
      projectName: 'Chaos',
      workId: `work-${options.label}`,
      createBy: 'chaos.embedded',
    };
    const planned = planStoryboards(options.storyboards, {
      prefix: options.label,
      modes: ['text_to_image', 'image_to_image', 'text_to_video', 'text_to_image', 'first_last_frame'],
      contentWord: 'forbidden',
      isContent,
    });

    // Given every storyboard accepted and running on a pool of 6 accounts × 2 slots
    await registerRestartPool(admin);
    const runStarted = Date.now();
    const recordIds = await submitStoryboards(service, batch, planned, 100);

    // When the process is killed at `kills` random points of the run, and started again each time
    const killExits: ChildExit[] = [];
    const doneAtKills: number[] = [];
    for (const point of faultPoints(options.storyboards, options.kills, random)) {
      // A random time up (from straight after the restart, reaping, to a few seconds in)...
      await pause(random.int(100, 2500));
      // ...and not before this share of the run is done, so the kills spread over all of it.
      const done = await waitFor(
        async () => {
          const finished = await countTerminal(viewer, batch);
          return finished >= point && finished;
        },
        { timeoutMs: options.settleTimeoutMs, intervalMs: 100, message: `${point} storyboards done` },
      );
      doneAtKills.push(done);
      killExits.push(await current.kill('SIGKILL'));
      current = await start();
    }

    // Then every storyboard ends
    await waitForAllRecordsTerminal(
      viewer,
      { createBy: batch.createBy, workId: batch.workId },
      expectedCounts(planned),
      { timeoutMs: options.settleTimeoutMs },
    );
    const runMs = Date.now() - runStarted;
    const finalExit = await current.kill('SIGTERM');

    // and the event store and read models the run left are checked on a copy of the data file
    const { outcomes, rebuild } = await inspectDataFile(
      join(dataDir.path, 'jimeng.db'),
      batch.projectId,
      planned.map((storyboard, index) => ({
        kind: storyboard.kind,
        storyboardId: storyboard.storyboardId,
        recordId: recordIds.get(storyboard.storyboardId)!,
        contentRejected: isContent(index),
      })),
    );
    const figures = chaosFigures(
      `embedded ${options.label}`,
      random.seed,
      { 'process SIGKILL + restart': killExits.length },
      outcomes,
      rebuild,
      runMs,
    );
    return { figures, outcomes, rebuild, killExits, finalExit, doneAtKills };
  } finally {
    for (const child of children) await child.kill('SIGKILL');
    dataDir.remove();
  }
}

/**
 * Copies the (closed) data file and, on the copy, checks every accepted storyboard's stream against
 * the read models, then rebuilds the read models from the event store and compares them with what
 * the killed-and-restarted runtime left.
 */
async function inspectDataFile(
  file: string,
  projectId: string,
  accepted: AcceptedStoryboard[],
): Promise<{ outcomes: RunOutcomes; rebuild: ReadModelDiff }> {
  const copy = `${file}.inspect`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) copyFileSync(`${file}${suffix}`, `${copy}${suffix}`);
  }
  const db = openSqliteDatabase(copy);
  const events = new SqliteEventStore(db, { pollIntervalMs: 20 });
  try {
    const live = sqliteSnapshot(db);
    const streams = await readHistory(events, 'start', [`image-${projectId}.`, `video-${projectId}.`]);
    const records = new Map(
      [...live.records.values()].map((doc) => [
        doc['id'] as string,
        { generationStatus: doc['generationStatus'] as number, errorCode: doc['errorCode'] as string | null },
      ]),
    );
    const outcomes = checkRunOutcomes(projectId, accepted, streams, records);

    const projector = new Projector(
      events,
      new SqliteReadModelStore(db),
      systemClock,
      createLogger('silent'),
      {
        preservedCheckpoints: [],
      },
    );
    const head = await projector.rebuild();
    try {
      if (head !== null && !(await projector.waitForPosition(head, 120_000))) {
        throw new Error(`the rebuild did not reach the head ${head} within 120 s`);
      }
    } finally {
      await projector.stop();
    }
    return { outcomes, rebuild: diffReadModels(live, sqliteSnapshot(db)) };
  } finally {
    await events.close();
    db.close();
  }
}

function sqliteSnapshot(db: SqliteDatabase): ReadModelSnapshot {
  const rows = (sql: string) => db.prepare<[], { key: string; doc: string }>(sql).all();
  const documents = (sql: string) =>
    new Map(rows(sql).map(({ key, doc }) => [key, JSON.parse(doc) as Record<string, unknown>]));
  return {
    accounts: documents('SELECT id AS key, doc FROM rm_accounts'),
    records: documents(`SELECT kind || '/' || id AS key, doc FROM rm_records`),
  };
}
