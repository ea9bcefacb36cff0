// Read path: a million records in the read model, paged queries by creator + work.
// Loaded through the projection's own write path (projectEvent + ReadModelStore.apply); the only
// difference from the live projector is that many events share one outer SQLite transaction
// (better-sqlite3 nests each apply as a savepoint), which changes the speed, not the documents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore } from '../../src/adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase } from '../../src/adapters/sqlite/open-database';
import type { StoredEvent } from '../../src/ports/event-store';
import { projectEvent } from '../../src/projections/project-event';
import { mulberry32 } from '../../src/simulator/prng';
import { round, summarize } from '../lib/stats';
import { getRecordsPage } from '../support/api';
import { recordLifecycle } from '../support/record-events';
import { startRuntimeProcess } from '../support/runtime';
import { runScenario } from '../support/scenario';

const CREATORS = 200;
const WORKS_PER_CREATOR = 10;
const PAGE_SIZE = 20;
const CHUNK = 5_000;

runScenario(async ({ mode }) => {
  const total = mode === 'full' ? 1_000_000 : 10_000;
  const queries = mode === 'full' ? 2_000 : 300;
  const dataDir = mkdtempSync(join(tmpdir(), 'jimeng-bench-read-'));
  try {
    const db = openSqliteDatabase(join(dataDir, 'jimeng.db'));
    const store = new SqliteReadModelStore(db);
    const pairs = CREATORS * WORKS_PER_CREATOR;
    const base = Date.parse('2030-01-01T00:00:00Z');
    let position = 0n;
    const loadStarted = Date.now();
    const loadChunk = db.transaction((from: number, to: number) => {
      const pending: Promise<void>[] = [];
      for (let i = from; i < to; i++) {
        const pair = i % pairs;
        const owner = {
          projectId: `proj-${pair}`,
          workId: `work-${pair % WORKS_PER_CREATOR}`,
          createBy: `creator-${Math.floor(pair / WORKS_PER_CREATOR)}`,
        };
        const { streamId, events } = recordLifecycle(
          String(1e15 + i),
          `sb-${i}`,
          owner,
          base + i * 1000,
          i % 5 !== 0,
        );
        events.forEach((event, revision) => {
          position += 1n;
          const stored: StoredEvent = {
            streamId,
            revision,
            position,
            id: `e${position}`,
            type: event.type,
            data: event.data,
            metadata: {},
            createdAt: new Date(),
          };
          // apply runs synchronously inside this transaction (no await before its write).
          pending.push(store.apply(position, projectEvent({ stored, event })));
        });
      }
      return pending;
    });
    for (let from = 0; from < total; from += CHUNK) {
      await Promise.all(loadChunk(from, Math.min(total, from + CHUNK)));
    }
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    db.pragma('optimize');

    const random = mulberry32(3);
    const pagesPerPair = Math.ceil(total / pairs / PAGE_SIZE);
    const pick = () => {
      const pair = Math.floor(random() * pairs);
      return {
        createBy: `creator-${Math.floor(pair / WORKS_PER_CREATOR)}`,
        workId: `work-${pair % WORKS_PER_CREATOR}`,
        page: 1 + Math.floor(random() * pagesPerPair),
      };
    };
    const storeTimes: number[] = [];
    for (let i = 0; i < queries; i++) {
      const { createBy, workId, page } = pick();
      const started = performance.now();
      const result = await store.listRecords({
        kind: 'image',
        createBy,
        workId,
        page,
        pageSize: PAGE_SIZE,
        sortBy: 'createdAt',
        sortOrder: 'desc',
      });
      storeTimes.push(performance.now() - started);
      if (result.list.length === 0) throw new Error(`empty page ${page} for ${createBy}/${workId}`);
    }
    await store.close();
    db.close();

    // The same queries through the HTTP API (auth, validation, views, JSON) of a runtime on this file.
    const runtime = await startRuntimeProcess({
      profile: 'embedded',
      role: 'api',
      dataDir,
      jimengBaseUrl: 'http://127.0.0.1:9',
    });
    const httpTimes: number[] = [];
    try {
      for (let i = 0; i < queries; i++) {
        const { createBy, workId, page } = pick();
        const query = new URLSearchParams({
          createBy,
          workId,
          page: String(page),
          pageSize: String(PAGE_SIZE),
        });
        const started = performance.now();
        const status = await getRecordsPage(runtime.baseUrl, `/api/v1/images/records?${query.toString()}`);
        httpTimes.push(performance.now() - started);
        if (status !== 200) throw new Error(`records answered ${status}`);
      }
    } finally {
      await runtime.stop();
    }
    const http = summarize(httpTimes);
    const direct = summarize(storeTimes);
    return {
      records: total,
      recordsPerCreatorAndWork: Math.round(total / pairs),
      pageSize: PAGE_SIZE,
      queries,
      p50Ms: round(http.p50),
      p99Ms: round(http.p99),
      maxMs: round(http.max),
      storeP50Ms: round(direct.p50),
      storeP99Ms: round(direct.p99),
      loadSeconds: round(loadSeconds, 1),
      loadRecordsPerSec: Math.round(total / loadSeconds),
      note: 'p50/p99: GET /api/v1/images/records?createBy&workId&page (random page) through the API of a runtime on the loaded file; store*: SqliteReadModelStore.listRecords directly. 80% of records completed (3 events), 20% pending',
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
