import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { hashFiles } from './cache';
import { defaultCacheDir, repoRoot } from './paths';
import { canConnect, freePort } from './ports';
import { runToCompletion as run, spawnServer } from './process';
import { startRestartableServer, waitUntilServing, type RestartableServer } from './restartable-server';
import { findExecutable, javaExecutable } from './toolchain';

export interface KafkaServerOptions {
  /** Where the resolved jars are cached; `<repo>/.cache` unless told. */
  cacheDir?: string;
  /** Parent of the broker's fresh temporary directory; the OS temp dir unless told. */
  workDir?: string;
  readyTimeoutMs?: number;
  /** The broker outlives this process (infra:up); stop it by pid. */
  detached?: boolean;
  /** Told the pid of every broker process started, restarts included (for the ledger). */
  onProcess?: (process: { pid: number; marker: string; dir: string }) => void;
}

/** The broker's ports and data survive halt() and resume(). */
export interface KafkaServer extends RestartableServer {
  /** `127.0.0.1:<port>`, the value for KAFKA_BROKERS. */
  brokers: string;
  /** The broker's temporary directory (data, config, log). */
  dir: string;
  /** Whether the jars came from the cache, and how long preparing and starting took. */
  timings: { cached: boolean; prepareMs: number; startMs: number };
}

const pomFile = join(repoRoot, 'test', 'infra', 'kafka', 'pom.xml');
const completeMarker = '.complete';

/** Resolves the broker's jars into `<cacheDir>/kafka-libs/<pom hash>`, unless a complete copy is there. */
export async function resolveKafkaLibs(
  cacheDir = defaultCacheDir,
): Promise<{ dir: string; cached: boolean }> {
  const root = join(cacheDir, 'kafka-libs');
  const dir = kafkaLibDir(cacheDir);
  if (isCompleteLibDir(dir)) return { dir, cached: true };

  const mvn = findExecutable('mvn');
  if (!mvn) throw new Error('mvn is needed to resolve the Kafka jars (see test/infra/toolchain.ts)');
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, 'staging-'));
  try {
    await run(mvn, [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    const jars = readdirSync(staging).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith('kafka_2.13-'))) {
      throw new Error(`mvn resolved no kafka_2.13 jar into ${staging}`);
    }
    writeFileSync(join(staging, completeMarker), jars.sort().join('\n') + '\n');
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run finished first; its copy is as good as ours.
      if (!isCompleteLibDir(dir)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, cached: false };
}

function kafkaLibDir(cacheDir: string): string {
  return join(cacheDir, 'kafka-libs', hashFiles([pomFile]));
}

/** Whether starting Kafka can skip Maven. */
export function kafkaLibsCached(cacheDir = defaultCacheDir): boolean {
  return isCompleteLibDir(kafkaLibDir(cacheDir));
}

function isCompleteLibDir(dir: string): boolean {
  const marker = join(dir, completeMarker);
  if (!existsSync(marker)) return false;
  const present = new Set(readdirSync(dir));
  const listed = readFileSyncSafe(marker).split('\n').filter(Boolean);
  return listed.length > 0 && listed.every((jar) => present.has(jar));
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const jvmFlags = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

function serverProperties(dir: string, port: number, controllerPort: number): string {
  return (
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=4',
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      // The default 50 partitions make the first group join slow.
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=2',
      'log.cleaner.dedupe.buffer.size=16777216',
    ].join('\n') + '\n'
  );
}

const log4jProperties = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  '',
].join('\n');

/** A KRaft cluster id: 16 random bytes in unpadded base64url, not starting with '-' (read as an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/** Starts a single-node KRaft broker (also its own controller) on free ports in a fresh directory. */
export async function startKafka(options: KafkaServerOptions = {}): Promise<KafkaServer> {
  const java = javaExecutable();
  if (!java) throw new Error('java is needed to start Kafka (see test/infra/toolchain.ts)');
  const prepareStarted = Date.now();
  const libs = await resolveKafkaLibs(options.cacheDir ?? defaultCacheDir);
  const prepareMs = Date.now() - prepareStarted;

  const startStarted = Date.now();
  const workDir = options.workDir ?? tmpdir();
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, 'kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const propertiesFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  const logFile = join(dir, 'broker.log');
  writeFileSync(propertiesFile, serverProperties(dir, port, controllerPort));
  writeFileSync(log4jFile, log4jProperties);
  const flags = [
    ...jvmFlags,
    `-Dkafka.logs.dir=${join(dir, 'logs')}`,
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    join(libs.dir, '*'),
  ];
  const readyTimeoutMs = options.readyTimeoutMs ?? 90000;
  const brokers = `127.0.0.1:${port}`;

  try {
    await run(java, [...flags, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propertiesFile]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const broker = await startRestartableServer({
    name: 'kafka',
    dir,
    spawn: () =>
      spawnServer(
        {
          name: 'kafka',
          command: java,
          args: [...flags, 'kafka.Kafka', propertiesFile],
          cwd: dir,
          logFile,
          detached: options.detached,
        },
        dir,
      ),
    onProcess: options.onProcess,
    marker: propertiesFile,
    ready: (started) =>
      waitUntilServing(
        started,
        `Kafka on ${brokers}`,
        async () => (await canConnect(port)) && (await describeCluster(brokers)),
        { timeoutMs: readyTimeoutMs, intervalMs: 200, output: 'broker output' },
      ),
    haltTimeoutMs: 20000,
  });
  const startMs = Date.now() - startStarted;

  return { ...broker, brokers, dir, timings: { cached: libs.cached, prepareMs, startMs } };
}

async function describeCluster(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'test-infra-ready-check',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return false;
    // The first group coordinator lookup creates __consumer_offsets; doing it here spares the first
    // test a slow, noisy group join ("coordinator is loading").
    const [group] = (await admin.describeGroups(['test-infra-ready-check'])).groups;
    return group !== undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
