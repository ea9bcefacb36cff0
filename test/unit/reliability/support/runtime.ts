import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../../src/config/config';
import { createLogger } from '../../../../src/runtime/logger';
import { startRuntime, type RunningRuntime } from '../../../../src/runtime/start-runtime';
import { waitFor } from '../../../support/wait-for';

export const RUNTIME_KEYS = {
  admin: 'reliability-admin-key-0123456789',
  service: 'reliability-service-key-0123456789',
} as const;

/** Everything a runtime wrote to its log, one JSON line per entry. */
export class LogBuffer {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

export interface TestRuntime {
  runtime: RunningRuntime;
  baseUrl: string;
  /** Every answer body seen through `call`. */
  answers: string[];
  call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export function tempDataDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'jimeng-reliability-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The whole embedded runtime (every role, built-in simulator) in this process, logging into `log`. */
export async function startTestRuntime(
  dataDir: string,
  log: LogBuffer,
  env: Record<string, string> = {},
): Promise<TestRuntime> {
  const config = loadConfig({
    PROFILE: 'embedded',
    ROLE: 'all',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    API_KEYS: `${RUNTIME_KEYS.admin}:admin,${RUNTIME_KEYS.service}:service`,
    SIMULATOR_PORT: '0',
    SIMULATOR_TIME_SCALE: '0.0005',
    LOG_LEVEL: 'trace',
    ...env,
  });
  const runtime = await startRuntime(config, { logger: createLogger(config.LOG_LEVEL, {}, log) });
  const baseUrl = `http://127.0.0.1:${runtime.port}`;
  const answers: string[] = [];
  return {
    runtime,
    baseUrl,
    answers,
    async call(method, path, key, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
    },
    stop: () => runtime.stop({ graceMs: 2000 }),
  };
}

/** Posts a text-to-image batch and waits until every record is completed (2) or failed (3). */
export async function generateImages(
  rt: TestRuntime,
  projectId: string,
  storyboardIds: string[],
): Promise<{ recordIds: string[]; statuses: number[] }> {
  const answer = await rt.call('POST', '/api/v1/images/text-to-image', RUNTIME_KEYS.service, {
    projectId,
    projectName: 'Secrets',
    workId: 'w-1',
    createBy: 'tester',
    storyboards: storyboardIds.map((storyboardId) => ({
      storyboardId,
      prompt: `a lantern, ${storyboardId}`,
    })),
  });
  const recordIds = (answer.body.data.items as { recordId: string }[]).map((item) => item.recordId);
  const statuses = await waitFor(
    async () => {
      const found = await Promise.all(
        recordIds.map(
          async (id) => (await rt.call('GET', `/api/v1/images/records/${id}`, RUNTIME_KEYS.service)).body,
        ),
      );
      const codes = found.map((record) => record?.data?.generationStatus as number | undefined);
      return codes.every((code) => code === 2 || code === 3) ? (codes as number[]) : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, message: `records of ${projectId} to finish` },
  );
  return { recordIds, statuses };
}
