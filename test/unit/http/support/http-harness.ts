import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SqliteEventStore } from '../../../../src/adapters/event-store/sqlite-event-store';
import { SnowflakeIdGenerator } from '../../../../src/adapters/id-generator/snowflake-id-generator';
import { SqliteIdempotencyStore } from '../../../../src/adapters/idempotency/sqlite-idempotency-store';
import { SqliteReadModelStore } from '../../../../src/adapters/read-models/sqlite-read-model-store';
import { AesGcmSecretBox } from '../../../../src/adapters/secret-box/aes-gcm-secret-box';
import { openSqliteDatabase, type SqliteDatabase } from '../../../../src/adapters/sqlite/open-database';
import { createHttpApp, type HttpDependencies } from '../../../../src/http';
import type { ApiKey } from '../../../../src/http/auth';
import { createMetrics, type Metrics } from '../../../../src/observability';
import { systemClock } from '../../../../src/ports/clock';
import { Projector } from '../../../../src/projections';
import { recordAnswer } from './conformance';

export const KEYS = {
  admin: 'admin-key-0123456789abcdef',
  service: 'service-key-0123456789abcdef',
  viewer: 'viewer-key-0123456789abcdef',
} as const;

export const API_KEYS: ApiKey[] = [
  { name: 'ops', role: 'admin', key: KEYS.admin },
  { name: 'cartoon', role: 'service', key: KEYS.service },
  { name: 'dashboard', role: 'viewer', key: KEYS.viewer },
];

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the answer is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is (overrides `body`). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Harness {
  baseUrl: string;
  deps: HttpDependencies;
  db: SqliteDatabase;
  eventStore: SqliteEventStore;
  readModels: SqliteReadModelStore;
  metrics: Metrics;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Waits until the projector has applied everything written so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  overrides?: Partial<HttpDependencies>;
  /** Start the real projector (default true). */
  projector?: boolean;
}

/** The HTTP app over real SQLite adapters on a temp file, the real projector, AES secrets, snowflake ids. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const directory = mkdtempSync(join(tmpdir(), 'jimeng-http-'));
  const db = openSqliteDatabase(join(directory, 'embedded.sqlite'));
  const eventStore = new SqliteEventStore(db, { pollIntervalMs: 20 });
  const readModels = new SqliteReadModelStore(db);
  const logger = pino({ level: 'silent' });
  const projector = new Projector(eventStore, readModels, systemClock, logger, { checkpointIntervalMs: 50 });
  if (options.projector !== false) await projector.start();
  const metrics = createMetrics(new Registry(), { records: readModels, accounts: readModels });
  const deps: HttpDependencies = {
    eventStore,
    readModels,
    idempotency: new SqliteIdempotencyStore(db),
    secretBox: new AesGcmSecretBox({ primary: { id: 'test', key: randomBytes(32) } }),
    ids: new SnowflakeIdGenerator({ workerId: 7 }),
    clock: systemClock,
    logger,
    apiKeys: API_KEYS,
    readiness: [{ name: 'eventStore', check: async () => void (await eventStore.headPosition()) }],
    metrics,
    waitForProjection: async (position) => void (await projector.waitForPosition(position, 5000)),
    ...options.overrides,
  };
  const server: Server = createHttpApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (method: string, path: string, call: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.key !== null && call.key !== undefined) headers['authorization'] = `Bearer ${call.key}`;
    let body: string | Buffer | undefined = call.rawBody;
    if (body === undefined && call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    const answer = { status: response.status, headers: response.headers, body: parsed, text };
    recordAnswer(method, path, answer.status, response.headers.get('content-type'), parsed);
    return answer;
  };

  return {
    baseUrl,
    deps,
    db,
    eventStore,
    readModels,
    metrics,
    call,
    async settle() {
      const head = await eventStore.headPosition();
      if (head !== null && !(await projector.waitForPosition(head, 5000)))
        throw new Error('projector did not catch up');
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await projector.stop();
      await eventStore.close();
      db.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A valid text-to-image batch for project `projectId`. */
export function imageBatch(projectId: string, storyboardIds: string[], extra: Record<string, unknown> = {}) {
  return {
    projectId,
    projectName: 'Night Rain',
    workId: 'work-1',
    createBy: 'zhang.san',
    storyboards: storyboardIds.map((storyboardId) => ({
      storyboardId,
      prompt: `a rainy street, ${storyboardId}`,
    })),
    ...extra,
  };
}
