import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { GiveUp, waitFor } from '../support/wait-for';
import { hashFiles } from './cache';
import { defaultCacheDir, repoRoot } from './paths';
import { freePort } from './ports';
import { describeExit, runToCompletion as run, spawnServer, type ServerProcess } from './process';
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

export interface FerretDbServer {
  /** `mongodb://127.0.0.1:<port>/`, the value for MONGO_URL. */
  url: string;
  pid(): number;
  /** The server's temporary directory (SQLite files, log). */
  dir: string;
  /** Whether the binary came from the cache, and how long building and starting took. */
  timings: { cached: boolean; prepareMs: number; startMs: number };
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server process but keeps its port and data, for chaos tests; SIGKILL simulates a crash. */
  halt(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /** Starts the halted server again on the same port and data; resolves when it answers a ping. */
  resume(): Promise<void>;
  restart(): Promise<void>;
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

  let server: ServerProcess | undefined;
  const launch = async () => {
    const started = spawnServer(
      {
        name: 'ferretdb',
        command: binary,
        args: ['-listen', `127.0.0.1:${port}`, '-dir', dataDir],
        cwd: dir,
        logFile: join(dir, 'ferretdb.log'),
        detached: options.detached,
      },
      dir,
    );
    server = started;
    options.onProcess?.({ pid: started.pid, marker: dataDir, dir });
    try {
      await waitForPing(started, url, readyTimeoutMs);
    } catch (error) {
      await started.stop({ signal: 'SIGKILL' });
      throw error;
    }
  };
  const halt = async ({ signal }: { signal?: NodeJS.Signals } = {}) => {
    await server?.stop({ signal, timeoutMs: 10000 });
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const startMs = Date.now() - startStarted;

  return {
    url,
    dir,
    pid: () => server?.pid ?? -1,
    timings: { cached, prepareMs, startMs },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    halt,
    async resume() {
      if (server && !server.exitInfo()) throw new Error('ferretdb is still running; halt() it first');
      await launch();
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

async function waitForPing(server: ServerProcess, url: string, timeoutMs: number): Promise<void> {
  try {
    await waitFor(
      async () => {
        const exit = server.exitInfo();
        if (exit) throw new GiveUp(describeExit(exit));
        return await ping(url);
      },
      { timeoutMs, intervalMs: 100, message: `FerretDB on ${url}` },
    );
  } catch (error) {
    const reason = error instanceof GiveUp ? error.message : `was not ready within ${timeoutMs} ms`;
    throw new Error(
      `FerretDB on ${url} ${reason}; output (tail of ${server.logFile}):\n${server.logTail()}`,
      {
        cause: error,
      },
    );
  }
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
