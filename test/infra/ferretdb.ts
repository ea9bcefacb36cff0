import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { hashFiles } from './cache';
import { defaultCacheDir, repoRoot } from './paths';
import { freePort } from './ports';
import { runToCompletion as run, spawnServer } from './process';
import { startRestartableServer, waitUntilServing, type RestartableServer } from './restartable-server';
import { findExecutable } from './toolchain';

export interface FerretDbServerOptions {
  /** Where the built binary is cached; `<repo>/.cache` unless told. */
  cacheDir?: string;
  /** Parent of the server's fresh temporary directory; the OS temp dir unless told. */
  workDir?: string;
  readyTimeoutMs?: number;
  /** The server outlives this process (infra:up); stop it by pid. */
  detached?: boolean;
  /** Told the pid of every server process started, restarts included (for the ledger). */
  onProcess?: (process: { pid: number; marker: string; dir: string }) => void;
}

/** The server's port and data survive halt() and resume(). */
export interface FerretDbServer extends RestartableServer {
  /** `mongodb://127.0.0.1:<port>/`, the value for MONGO_URL. */
  url: string;
  /** The server's temporary directory (SQLite files, log). */
  dir: string;
  /** Whether the binary came from the cache, and how long building and starting took. */
  timings: { cached: boolean; prepareMs: number; startMs: number };
}

const sourceDir = join(repoRoot, 'test', 'infra', 'ferretdb');
const sources = ['go.mod', 'go.sum', 'main.go'].map((name) => join(sourceDir, name));

/** Builds the embedded FerretDB into `<cacheDir>/ferretdb/ferretdb-test` unless the sources are unchanged. */
export async function buildFerretDb(
  cacheDir = defaultCacheDir,
): Promise<{ binary: string; cached: boolean }> {
  const outDir = join(cacheDir, 'ferretdb');
  const binary = join(outDir, 'ferretdb-test');
  const keyFile = `${binary}.key`;
  const key = hashFiles(sources);
  if (ferretDbBuilt(cacheDir)) return { binary, cached: true };
  const go = findExecutable('go');
  if (!go) throw new Error('go is needed to build FerretDB (see test/infra/toolchain.ts)');
  mkdirSync(outDir, { recursive: true });
  const staging = `${binary}.${process.pid}.tmp`;
  try {
    await run(go, ['build', '-tags', 'ferretdb_no_postgresql', '-o', staging, '.'], sourceDir);
    renameSync(staging, binary);
    writeFileSync(keyFile, `${key}\n`);
  } finally {
    rmSync(staging, { force: true });
  }
  return { binary, cached: false };
}

/** Whether starting FerretDB can skip the Go build. */
export function ferretDbBuilt(cacheDir = defaultCacheDir): boolean {
  const binary = join(cacheDir, 'ferretdb', 'ferretdb-test');
  const keyFile = `${binary}.key`;
  return (
    existsSync(binary) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === hashFiles(sources)
  );
}

/** Starts FerretDB (SQLite backend) on a free port with a fresh data directory. */
export async function startFerretDb(options: FerretDbServerOptions = {}): Promise<FerretDbServer> {
  const prepareStarted = Date.now();
  const { binary, cached } = await buildFerretDb(options.cacheDir ?? defaultCacheDir);
  const prepareMs = Date.now() - prepareStarted;

  const startStarted = Date.now();
  const workDir = options.workDir ?? tmpdir();
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, 'ferretdb-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30000;

  const server = await startRestartableServer({
    name: 'ferretdb',
    dir,
    spawn: () =>
      spawnServer(
        {
          name: 'ferretdb',
          command: binary,
          args: ['-listen', `127.0.0.1:${port}`, '-dir', dataDir],
          cwd: dir,
          logFile: join(dir, 'ferretdb.log'),
          detached: options.detached,
        },
        dir,
      ),
    onProcess: options.onProcess,
    marker: dataDir,
    ready: (started) =>
      waitUntilServing(started, `FerretDB on ${url}`, () => ping(url), {
        timeoutMs: readyTimeoutMs,
        intervalMs: 100,
        output: 'output',
      }),
    haltTimeoutMs: 10000,
  });
  const startMs = Date.now() - startStarted;

  return { ...server, url, dir, timings: { cached, prepareMs, startMs } };
}

async function ping(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}
