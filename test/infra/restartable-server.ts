import { rmSync } from 'node:fs';
import { GiveUp, waitFor } from '../support/wait-for';
import { describeExit, type ServerProcess } from './process';

/** One server process in its own directory, which chaos tests halt and resume on the same ports and data. */
export interface RestartableServer {
  pid(): number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server process but keeps its ports and data; SIGKILL simulates a crash. */
  halt(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /** Starts the halted server again on the same ports and data; resolves when it is ready. */
  resume(): Promise<void>;
  restart(): Promise<void>;
}

export interface RestartableServerSpec {
  /** Named in the error of a resume() while the process still runs. */
  name: string;
  /** The server's directory, removed by stop() or when the first start fails. */
  dir: string;
  /** Spawns one process of the server; called again on every resume. */
  spawn(): ServerProcess;
  /** Told the pid of every process spawned, restarts included (for the ledger). */
  onProcess?: (process: { pid: number; marker: string; dir: string }) => void;
  /** How the ledger recognises the process. */
  marker: string;
  /** Resolves once the process serves; a process that does not is killed. */
  ready(server: ServerProcess): Promise<void>;
  /** How long halt() waits for a graceful stop before killing. */
  haltTimeoutMs: number;
}

/** Starts the server and resolves when it is ready. */
export async function startRestartableServer(spec: RestartableServerSpec): Promise<RestartableServer> {
  let server: ServerProcess | undefined;
  const launch = async () => {
    const started = spec.spawn();
    server = started;
    spec.onProcess?.({ pid: started.pid, marker: spec.marker, dir: spec.dir });
    try {
      await spec.ready(started);
    } catch (error) {
      await started.stop({ signal: 'SIGKILL' });
      throw error;
    }
  };
  const halt = async ({ signal }: { signal?: NodeJS.Signals } = {}) => {
    await server?.stop({ signal, timeoutMs: spec.haltTimeoutMs });
  };

  try {
    await launch();
  } catch (error) {
    rmSync(spec.dir, { recursive: true, force: true });
    throw error;
  }

  return {
    pid: () => server?.pid ?? -1,
    async stop() {
      await halt();
      rmSync(spec.dir, { recursive: true, force: true });
    },
    halt,
    async resume() {
      if (server && !server.exitInfo()) throw new Error(`${spec.name} is still running; halt() it first`);
      await launch();
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

/**
 * Polls `serving` until it holds, giving up at once if the process exits. The error names `what`
 * and carries the tail of the process's log (`output` says what that log is).
 */
export async function waitUntilServing(
  server: ServerProcess,
  what: string,
  serving: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; output: string },
): Promise<void> {
  const { timeoutMs, intervalMs, output } = options;
  try {
    await waitFor(
      async () => {
        const exit = server.exitInfo();
        if (exit) throw new GiveUp(describeExit(exit));
        return await serving();
      },
      { timeoutMs, intervalMs, message: what },
    );
  } catch (error) {
    const reason = error instanceof GiveUp ? error.message : `was not ready within ${timeoutMs} ms`;
    throw new Error(`${what} ${reason}; ${output} (tail of ${server.logFile}):\n${server.logTail()}`, {
      cause: error,
    });
  }
}
