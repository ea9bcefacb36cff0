import { defaultCacheDir } from './paths';
import { ferretDbBuilt, startFerretDb } from './ferretdb';
import { kafkaLibsCached, startKafka } from './kafka';
import { startEsdbDetached, startEsdbInProcess } from './esdb';
import type { ProcessLedger } from './ledger';
import { assertToolchain, type ToolNeed } from './toolchain';

export interface TestServerEnv {
  KAFKA_BROKERS: string;
  MONGO_URL: string;
  ESDB_URL: string;
}

export type ServerName = 'kafka' | 'ferretdb' | 'esdb';

export interface ServerReport {
  name: ServerName;
  /** `env`: a running server named by KAFKA_BROKERS / MONGO_URL / ESDB_URL; `started`: started here. */
  source: 'env' | 'started';
  /** Whether the jars / binary came from the cache (started servers only). */
  cached?: boolean;
  prepareMs?: number;
  startMs?: number;
  pid?: number;
}

export interface TestServers {
  env: TestServerEnv;
  reports: ServerReport[];
  /** Stops the servers started here; servers named by the environment are left alone. */
  stop(): Promise<void>;
}

export interface StartTestServersOptions {
  /** Where KAFKA_BROKERS / MONGO_URL / ESDB_URL are read; `process.env` unless told. */
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  /** Parent of the servers' temporary directories; the OS temp dir unless told. */
  workDir?: string;
  /** Servers outlive this process (infra:up). */
  detached?: boolean;
  /** Records every started process so it can be stopped after a crash. */
  ledger?: ProcessLedger;
}

interface Started {
  value: string;
  report: ServerReport;
  stop(): Promise<void>;
}

/**
 * Starts local Kafka, FerretDB and EventStoreDB protocol servers in parallel, each unless the
 * environment already names a running one.
 */
export async function startTestServers(options: StartTestServersOptions = {}): Promise<TestServers> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  const { ledger, detached, workDir } = options;
  const given = {
    kafka: nonEmpty(env.KAFKA_BROKERS),
    ferretdb: nonEmpty(env.MONGO_URL),
    esdb: nonEmpty(env.ESDB_URL),
  };

  const needs: ToolNeed[] = [];
  if (!given.kafka) {
    needs.push({ tool: 'java', server: 'Kafka', envVar: 'KAFKA_BROKERS' });
    if (!kafkaLibsCached(cacheDir)) needs.push({ tool: 'mvn', server: 'Kafka', envVar: 'KAFKA_BROKERS' });
  }
  if (!given.ferretdb && !ferretDbBuilt(cacheDir)) {
    needs.push({ tool: 'go', server: 'FerretDB', envVar: 'MONGO_URL' });
  }
  assertToolchain(needs);

  const record = (name: ServerName) => (process: { pid: number; marker: string; dir: string }) =>
    ledger?.record({ name, ...process });

  const fromEnv = (name: ServerName, value: string): Promise<Started> =>
    Promise.resolve({ value, report: { name, source: 'env' }, stop: async () => undefined });

  const kafka = given.kafka
    ? fromEnv('kafka', given.kafka)
    : startKafka({ cacheDir, workDir, detached, onProcess: record('kafka') }).then((server) => ({
        value: server.brokers,
        report: { name: 'kafka' as const, source: 'started' as const, ...server.timings, pid: server.pid() },
        stop: () => server.stop(),
      }));
  const ferretdb = given.ferretdb
    ? fromEnv('ferretdb', given.ferretdb)
    : startFerretDb({ cacheDir, workDir, detached, onProcess: record('ferretdb') }).then((server) => ({
        value: server.url,
        report: {
          name: 'ferretdb' as const,
          source: 'started' as const,
          ...server.timings,
          pid: server.pid(),
        },
        stop: () => server.stop(),
      }));
  const esdbStarted = Date.now();
  const esdb = given.esdb
    ? fromEnv('esdb', given.esdb)
    : (detached ? startEsdbDetached({ workDir, onProcess: record('esdb') }) : startEsdbInProcess()).then(
        (server) => ({
          value: server.url,
          report: {
            name: 'esdb' as const,
            source: 'started' as const,
            startMs: Date.now() - esdbStarted,
            pid: server.pid(),
          },
          stop: () => server.stop(),
        }),
      );

  const settled = await Promise.allSettled([kafka, ferretdb, esdb]);
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  const failures = settled.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await stopAll().catch(() => undefined);
    if (failures.length === 1) throw failures[0];
    throw new AggregateError(
      failures,
      failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join('\n\n'),
    );
  }
  const [k, f, e] = started as [Started, Started, Started];
  return {
    env: { KAFKA_BROKERS: k.value, MONGO_URL: f.value, ESDB_URL: e.value },
    reports: [k.report, f.report, e.report],
    stop: stopAll,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}

export function describeReports(reports: readonly ServerReport[]): string[] {
  return reports.map((report) => {
    if (report.source === 'env') return `${report.name}: using the running server from the environment`;
    const prepare =
      report.cached === undefined
        ? ''
        : report.cached
          ? `, ${report.name === 'kafka' ? 'jars' : 'binary'} cached (${report.prepareMs} ms)`
          : `, ${report.name === 'kafka' ? 'jars resolved' : 'binary built'} in ${report.prepareMs} ms (cold)`;
    return `${report.name}: ready in ${report.startMs} ms${prepare}, pid ${report.pid}`;
  });
}
