import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/ports';
import { startAtHead } from '../../support/start-at-head';
import type { ExitInfo } from '../../infra/process';
import {
  describeServices,
  startService,
  waitUntilReady,
  type ServiceProcess,
  type ServiceRole,
} from '../../integration/e2e/production-support/service-process';

export interface ClusterOptions {
  label: string;
  esdbUrl: string;
  mongoUrl: string;
  kafkaBrokers: string;
  jimengBaseUrl: (name: string) => string;
  roles: readonly { name: string; role: ServiceRole }[];
  /** Added to every process's environment. */
  env: Record<string, string>;
}

/**
 * The production profile as separate OS processes (one per role, as compose runs them) whose
 * processes can be killed and started again with the same environment and port. A process that
 * ends without being told is started again too, as compose's `restart: unless-stopped` would, and
 * counted: as a failed start when it said so ("failed to start"), else as a crash.
 */
export interface ProductionCluster {
  readonly database: string;
  readonly adminKey: string;
  readonly serviceKey: string;
  readonly viewerKey: string;
  /** The event store's head when the cluster started: the relay and the projector began there. */
  readonly startHead: bigint | null;
  service(name: string): ServiceProcess;
  /** SIGKILL; resolves with the exit once the process is gone. */
  kill(name: string): Promise<ExitInfo>;
  /**
   * Starts a stopped process again (same environment and port) and waits until it is ready, or
   * until it is killed again while starting.
   */
  restart(name: string): Promise<void>;
  /** SIGTERM to the named processes; their exits. */
  terminate(names: readonly string[]): Promise<Record<string, ExitInfo>>;
  /**
   * Processes that gave up on their own terms (a server unreachable for longer than
   * STARTUP_RETRY_MS, a MongoDB client that did not recover) and were started again, as compose's
   * `restart: unless-stopped` does.
   */
  readonly failedStarts: readonly string[];
  /** Processes that ended on their own after starting (each was started again). */
  readonly crashes: readonly string[];
  describe(): string;
  /** Stops every process still running and removes the logs (kept after `describe`). */
  stop(): Promise<void>;
}

interface Member {
  name: string;
  role: ServiceRole;
  port: number;
  env: Record<string, string>;
  process: ServiceProcess;
  /** The test ended it on purpose. */
  stopping: boolean;
}

export async function startCluster(options: ClusterOptions): Promise<ProductionCluster> {
  const database = `chaos_${options.label.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`;
  const logDir = mkdtempSync(join(tmpdir(), `chaos-${options.label}-`));
  const key = (role: string) => `${role}-${randomBytes(18).toString('base64url')}`;
  const [adminKey, serviceKey, viewerKey] = [key('admin'), key('service'), key('viewer')];
  const shared: Record<string, string> = {
    PROFILE: 'production',
    ESDB_URL: options.esdbUrl,
    MONGO_URL: options.mongoUrl,
    MONGO_DB: database,
    KAFKA_BROKERS: options.kafkaBrokers,
    API_KEYS: `${adminKey}:admin,${serviceKey}:service,${viewerKey}:viewer`,
    SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CALLBACK_SECRET: randomBytes(24).toString('base64url'),
    LOG_LEVEL: process.env['CHAOS_LOG_LEVEL'] ?? 'warn',
    ...options.env,
  };
  const members: Member[] = [];
  const failedStarts: string[] = [];
  const crashes: string[] = [];
  let stopped = false;
  let failed = false;

  const spawn = (spec: Omit<Member, 'process' | 'stopping'>) => startService({ ...spec, logDir });
  const watch = (watched: Member) => {
    const launched = watched.process;
    void launched.exited.then((exit) => {
      if (watched.stopping || stopped || watched.process !== launched) return;
      const firstLine = watched.process
        .logTail(2000)
        .split('\n')
        // Exits the product chose (a server still unreachable after STARTUP_RETRY_MS, a stuck
        // MongoDB client), which a supervisor answers with a restart, are no crashes.
        .find((line) => line.includes('failed to start') || line.includes('exiting so the supervisor'));
      (firstLine ? failedStarts : crashes).push(
        `${watched.name} ${exit.signal ?? `code ${exit.code}`}${firstLine ? `: ${firstLine}` : ''}`,
      );
      launch(watched);
    });
  };
  const launch = (relaunched: Member) => {
    relaunched.stopping = false;
    relaunched.process = spawn(relaunched);
    watch(relaunched);
  };
  const member = (name: string) => {
    const found = members.find((m) => m.name === name);
    if (!found) throw new Error(`no process ${name}`);
    return found;
  };

  const startHead = await startAtHead(options.esdbUrl, options.mongoUrl, database);
  for (const [index, { name, role }] of options.roles.entries()) {
    const env = {
      ...shared,
      DATA_DIR: join(logDir, `${name}-data`),
      JIMENG_BASE_URL: options.jimengBaseUrl(name),
      // Distinct snowflake worker ids: ids made in the same millisecond by two processes differ.
      WORKER_ID: String(200 + index),
    };
    const spec = { name, role, port: await freePort(), env };
    const created: Member = { ...spec, stopping: false, process: spawn(spec) };
    watch(created);
    members.push(created);
  }

  const cluster: ProductionCluster = {
    database,
    adminKey,
    serviceKey,
    viewerKey,
    startHead,
    service: (name) => member(name).process,
    async kill(name) {
      const killed = member(name);
      killed.stopping = true;
      await killed.process.stop({ signal: 'SIGKILL' });
      return killed.process.exited;
    },
    async restart(name) {
      const restarted = member(name);
      if (!restarted.process.exitDescription()) throw new Error(`${name} is still running`);
      launch(restarted);
      try {
        await untilReady(restarted, Date.now() + 90_000);
      } catch (error) {
        // Killed again while it started: whoever killed it starts it again.
        if (!restarted.stopping) throw error;
      }
    },
    async terminate(names) {
      const exits = await Promise.all(
        names.map(async (name) => {
          const ended = member(name);
          ended.stopping = true;
          await ended.process.stop({ signal: 'SIGTERM', timeoutMs: 30_000 });
          return [name, await ended.process.exited] as const;
        }),
      );
      return Object.fromEntries(exits);
    },
    failedStarts,
    crashes,
    describe: () => {
      failed = true;
      return `full logs in ${logDir}\n${describeServices(members.map((m) => m.process))}`;
    },
    async stop() {
      stopped = true;
      await Promise.all(
        members.map(async (m) => {
          m.stopping = true;
          await m.process.stop({ timeoutMs: 10_000 });
        }),
      );
      if (!failed) rmSync(logDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => untilReady(m, Date.now() + 90_000)));
  } catch (error) {
    const message = `${error instanceof Error ? error.message : String(error)}\n${cluster.describe()}`;
    await cluster.stop();
    throw new Error(message, { cause: error });
  }
  return cluster;
}

/** Ready, or started again (by the watcher) after an exit and then ready, before the deadline. */
async function untilReady(member: Member, deadline: number): Promise<void> {
  for (;;) {
    const tried = member.process;
    try {
      await waitUntilReady(tried, Math.max(1000, deadline - Date.now()));
      return;
    } catch (error) {
      if (member.process === tried || Date.now() >= deadline) throw error;
    }
  }
}
