// Projection lag: events appended at a fixed rate (1,000/s) while the Projector follows; each
// event's lag is the time from its append to its read-model write (the Projector's onApplied). Then
// a burst, appended as fast as possible, for the most events per second the projector keeps up with.
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/event-store/sqlite-event-store';
import { SqliteReadModelStore } from '../../src/adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase } from '../../src/adapters/sqlite/open-database';
import { toEventToAppend } from '../../src/events';
import { systemClock } from '../../src/ports/clock';
import { Projector } from '../../src/projections/projector';
import { round, summarize } from '../lib/stats';
import { recordLifecycle } from '../support/record-events';
import { runScenario, waitUntil } from '../support/scenario';

const RATE = 1_000;
const TICK_MS = 10;

runScenario(async ({ mode }) => {
  const seconds = mode === 'full' ? 20 : 3;
  const burst = mode === 'full' ? 20_000 : 3_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'jimeng-bench-projection-'));
  const db = openSqliteDatabase(join(dataDir, 'jimeng.db'));
  const events = new SqliteEventStore(db);
  const store = new SqliteReadModelStore(db);
  let lags: number[] = [];
  const projector = new Projector(events, store, systemClock, pino({ level: 'silent' }), {
    onApplied: (_event, lagMs) => lags.push(lagMs),
  });
  await projector.start();
  let record = 0;
  // Lanes: each carries one record through its three events in order, a new record when done;
  // the lanes of a tick append at the same time, the way concurrent requests and attempts do.
  const lanes: { streamId: string; revision: number; event: ReturnType<typeof toEventToAppend> }[][] = [];
  const nextEvent = (lane: number) => {
    lanes[lane] ??= [];
    if (lanes[lane].length === 0) {
      record += 1;
      const { streamId, events: lifecycle } = recordLifecycle(
        String(2e15 + record),
        `sb-${record}`,
        { projectId: 'proj', workId: 'work', createBy: 'bench' },
        Date.now(),
        true,
      );
      lifecycle.forEach((event, revision) =>
        lanes[lane]!.push({ streamId, revision, event: toEventToAppend(event) }),
      );
    }
    return lanes[lane].shift()!;
  };
  /** Appends `count` events, one per lane, at the same time. */
  const appendMany = async (count: number) => {
    await Promise.all(
      Array.from({ length: count }, async (_, lane) => {
        const { streamId, revision, event } = nextEvent(lane);
        await events.append(streamId, [event], revision === 0 ? 'no_stream' : revision - 1);
      }),
    );
  };
  const caughtUp = async () => {
    const head = await events.headPosition();
    return head === null || (projector.position ?? 0n) >= head;
  };
  try {
    // 1. A fixed rate: TICK_MS ticks of RATE * TICK_MS / 1000 appends, scheduled against the clock.
    const started = Date.now();
    let appended = 0;
    for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
      const due = started + tick * TICK_MS;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const target = Math.floor(((Date.now() - started) * RATE) / 1000);
      if (target > appended) {
        const count = Math.min(target - appended, 100);
        await appendMany(count);
        appended += count;
      }
    }
    const appendSeconds = (Date.now() - started) / 1000;
    await waitUntil(caughtUp, { timeoutMs: 60_000, intervalMs: 10, what: 'the projector to catch up' });
    const sustained = summarize(lags);
    const applied = lags.length;

    // 2. A burst: as fast as the store takes appends, then until the projector has them all.
    lags = [];
    const burstStarted = Date.now();
    for (let i = 0; i < burst; i += 50) await appendMany(Math.min(50, burst - i));
    const appendedIn = (Date.now() - burstStarted) / 1000;
    await waitUntil(caughtUp, { timeoutMs: 120_000, intervalMs: 5, what: 'the projector to catch up' });
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    const burstLag = summarize(lags);
    return {
      ratePerSec: RATE,
      appendSeconds: round(appendSeconds, 1),
      appended,
      events: applied,
      sustainedEventsPerSec: Math.round(applied / appendSeconds),
      p50LagMs: sustained.p50,
      p99LagMs: sustained.p99,
      maxLagMs: sustained.max,
      burstEvents: burst,
      burstAppendPerSec: Math.round(burst / appendedIn),
      maxEventsPerSec: Math.round(burst / burstSeconds),
      burstP99LagMs: burstLag.p99,
      note: 'appender and projector share one process and one SQLite file, as in the embedded profile; lag = onApplied time - event createdAt (ms resolution)',
    };
  } finally {
    await projector.stop();
    await events.close();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
