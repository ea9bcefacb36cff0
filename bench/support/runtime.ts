import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from './child';
import { startAtHead } from '../../test/support/start-at-head';

export const KEYS = {
  admin: 'bench-admin-key-0123456789abcdef',
  service: 'bench-service-key-0123456789abcdef',
} as const;

export type Profile = 'embedded' | 'production';

export interface RuntimeOptions {
  profile: Profile;
  jimengBaseUrl: string;
  /** Default 'all'. */
  role?: string;
  /** Reuse this data directory (kept afterwards); default a fresh temp one, removed on stop. */
  dataDir?: string;
  /** Extra environment (production: KAFKA_BROKERS, MONGO_URL, ESDB_URL). */
  env?: NodeJS.ProcessEnv;
  /** Directory for a V8 CPU profile of the runtime process. */
  cpuProfileDir?: string;
}

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
  peakRssMb: number;
  /** Event-loop delay of the runtime process since start (or the last resetPeak). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface RuntimeProcess {
  baseUrl: string;
  dataDir: string;
  memory(): Promise<Memory>;
  resetPeak(): Promise<void>;
  /** Stops the runtime (no grace) and answers its last memory figures. */
  stop(): Promise<Memory>;
}

/** The orchestrator in its own process, configured like `npm start` through the environment. */
export async function startRuntimeProcess(options: RuntimeOptions): Promise<RuntimeProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jimeng-bench-'));
  const env: NodeJS.ProcessEnv = {
    PROFILE: options.profile,
    ROLE: options.role ?? 'all',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_KEYS: `${KEYS.admin}:admin,${KEYS.service}:service`,
    JIMENG_BASE_URL: options.jimengBaseUrl,
    LOG_LEVEL: 'silent',
    MONGO_DB: `bench_${Date.now().toString(36)}`,
    // Scenarios share the production servers: topics of their own, or a runtime would first work
    // through the jobs the scenarios before it left queued.
    KAFKA_NAMESPACE: `bench_${Date.now().toString(36)}`,
    // The production profile generates no secrets of its own; throwaway ones for a bench run.
    SECRET_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    CALLBACK_SECRET: randomBytes(32).toString('base64url'),
    ...options.env,
  };
  // Scenarios share the production servers: this runtime's relay and projector skip the events of
  // the scenarios before it (else it would generate their storyboards again).
  if (options.profile === 'production' && env.ESDB_URL && env.MONGO_URL)
    await startAtHead(env.ESDB_URL, env.MONGO_URL, env.MONGO_DB!);
  const child = spawnTs(join(__dirname, 'runtime-host.ts'), {
    env,
    ...(options.cpuProfileDir
      ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] }
      : {}),
  });
  let port: number;
  try {
    ({ port } = await child.next<{ type: 'ready'; port: number }>('ready', 120_000));
  } catch (error) {
    child.kill();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const ask = async <T>(type: string, reply: string, timeoutMs = 10_000) => {
    const answer = child.next<{ type: string } & T>(reply, timeoutMs);
    child.send({ type });
    return answer;
  };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    memory: () => ask<Memory>('memory', 'memory'),
    resetPeak: async () => void (await ask('resetPeak', 'peakReset')),
    stop: async () => {
      try {
        const last = await ask<Memory>('stop', 'stopped', 60_000);
        await child.exited;
        return last;
      } finally {
        child.kill();
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
