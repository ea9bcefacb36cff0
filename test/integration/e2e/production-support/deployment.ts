import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from '../../../infra/ports';
import { startAtHead } from '../../../support/start-at-head';
import {
  describeServices,
  startService,
  waitUntilReady,
  type ServiceProcess,
  type ServiceRole,
} from './service-process';

export interface DeploymentOptions {
  /** Names the database and the log directory. */
  label: string;
  kafkaBrokers: string;
  /** The Jimeng endpoint of each process (each worker may get its own tap). */
  jimengBaseUrl: (name: string) => string;
  roles: readonly { name: string; role: ServiceRole }[];
  /** Added to every process's environment. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface Deployment {
  readonly services: readonly ServiceProcess[];
  service(name: string): ServiceProcess;
  readonly adminKey: string;
  readonly serviceKey: string;
  /** The MongoDB database of this deployment (MONGO_DB). */
  readonly database: string;
  /** Every process's state and output tail. */
  describe(): string;
  /** SIGTERM to every process still running (SIGKILL after the grace), then drops the database. */
  stop(): Promise<void>;
}

function required(name: 'ESDB_URL' | 'MONGO_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration project (its global set-up)`);
  return value;
}

/**
 * Runs the production profile as separate OS processes (the shape of the compose file): each role
 * in its own `node src/main.ts --role <role>`, all on one fresh MongoDB database, the shared
 * EventStoreDB and the given Kafka.
 */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const esdbUrl = required('ESDB_URL');
  const mongoUrl = required('MONGO_URL');
  const suffix = randomBytes(5).toString('hex');
  const database = `${options.label.replace(/[^a-z0-9]/gi, '_')}_${suffix}`;
  const logDir = mkdtempSync(join(tmpdir(), `${options.label}-`));
  const adminKey = `admin-${randomBytes(18).toString('base64url')}`;
  const serviceKey = `service-${randomBytes(18).toString('base64url')}`;
  const shared: Record<string, string> = {
    PROFILE: 'production',
    ESDB_URL: esdbUrl,
    MONGO_URL: mongoUrl,
    MONGO_DB: database,
    KAFKA_BROKERS: options.kafkaBrokers,
    API_KEYS: `${adminKey}:admin,${serviceKey}:service`,
    SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    CALLBACK_SECRET: randomBytes(24).toString('base64url'),
    // E2E_LOG_LEVEL=debug shows what the processes do (their logs stay on disk after a failure).
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ...options.env,
  };

  const mongo = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  const services: ServiceProcess[] = [];
  // A failure keeps the full logs (their tails are in its message, the path too).
  let failed = false;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(services.map((service) => service.stop({ timeoutMs: 10_000 })));
      await mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
      if (!failed) rmSync(logDir, { recursive: true, force: true });
    })());
  const describe = () => {
    failed = true;
    return `full logs in ${logDir}\n${describeServices(services)}`;
  };

  try {
    await startAtHead(esdbUrl, mongoUrl, database);
    for (const [index, { name, role }] of options.roles.entries()) {
      services.push(
        startService({
          name,
          role,
          port: await freePort(),
          logDir,
          env: {
            ...shared,
            DATA_DIR: join(logDir, `${name}-data`),
            JIMENG_BASE_URL: options.jimengBaseUrl(name),
            // Distinct snowflake worker ids: ids made in the same millisecond by two processes differ.
            WORKER_ID: String(100 + index),
          },
        }),
      );
    }
    await Promise.all(services.map((service) => waitUntilReady(service, options.readyTimeoutMs ?? 90_000)));
  } catch (error) {
    const message = `${error instanceof Error ? error.message : String(error)}\n${describe()}`;
    await stop();
    throw new Error(message, { cause: error });
  }

  return {
    services,
    service(name) {
      const found = services.find((service) => service.name === name);
      if (!found) throw new Error(`no process ${name}`);
      return found;
    },
    adminKey,
    serviceKey,
    database,
    describe,
    stop,
  };
}

/** Runs `step`; a failure carries every process's output tail. */
export async function withProcessOutput<T>(deployment: Deployment, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\nProcess output:\n${deployment.describe()}`, { cause: error });
  }
}
