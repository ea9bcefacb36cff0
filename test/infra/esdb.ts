import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GiveUp, waitFor } from '../support/wait-for';
import { startEsdbTestServer } from './esdb/server';
import { describeExit, spawnServer } from './process';

export interface EsdbServer {
  url: string;
  pid(): number;
  stop(): Promise<void>;
}

/** The EventStoreDB protocol test server inside this process (the jest global set-up). */
export async function startEsdbInProcess(): Promise<EsdbServer> {
  const server = await startEsdbTestServer({ host: '127.0.0.1' });
  return { url: server.url, pid: () => process.pid, stop: () => server.stop() };
}

/** The same server in a process of its own that outlives this one (`infra:up`). */
export async function startEsdbDetached(options: {
  workDir?: string;
  readyTimeoutMs?: number;
  onProcess?: (process: { pid: number; marker: string; dir: string }) => void;
}): Promise<EsdbServer> {
  const workDir = options.workDir ?? tmpdir();
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, 'esdb-'));
  const urlFile = join(dir, 'url');
  const daemon = spawnServer({
    name: 'esdb',
    command: process.execPath,
    args: ['--import', 'tsx', join(__dirname, 'esdb-daemon.ts'), dir],
    logFile: join(dir, 'esdb.log'),
    detached: true,
  });
  options.onProcess?.({ pid: daemon.pid, marker: dir, dir });
  const timeoutMs = options.readyTimeoutMs ?? 30000;
  try {
    const url = await waitFor(
      () => {
        const exit = daemon.exitInfo();
        if (exit) throw new GiveUp(describeExit(exit));
        return existsSync(urlFile) && readFileSync(urlFile, 'utf8');
      },
      { timeoutMs, intervalMs: 100, message: 'the EventStoreDB test server' },
    );
    return {
      url,
      pid: () => daemon.pid,
      async stop() {
        await daemon.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon.stop({ signal: 'SIGKILL' });
    const tail = daemon.logTail();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`The EventStoreDB test server did not start: ${(error as Error).message}\n${tail}`, {
      cause: error,
    });
  }
}
