import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from '../../../infra/ports';
import { GiveUp, waitFor } from '../../../support/wait-for';

const REPO_ROOT = resolve(__dirname, '../../../..');

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node --import tsx src/main.ts` in a child process: the runtime as `npm start` runs it. */
export interface ChildRuntime {
  pid: number;
  baseUrl: string;
  simulatorUrl: string;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<ChildExit>;
  /** Sends `signal` and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ChildExit>;
}

/** Two free loopback ports: the API's and the built-in simulator's (kept across restarts). */
export async function pickPorts(): Promise<{ port: number; simulatorPort: number }> {
  const port = await freePort();
  let simulatorPort = await freePort();
  while (simulatorPort === port) simulatorPort = await freePort();
  return { port, simulatorPort };
}

/**
 * Starts the runtime in a child process with exactly `env` (plus PATH and HOME; nothing else of
 * this process leaks in) and waits until its /readyz answers 200. PORT and SIMULATOR_PORT must be
 * fixed ports (see `pickPorts`) so the test knows where to call.
 */
export async function startChildRuntime(
  env: Record<string, string>,
  options: { readyTimeoutMs?: number } = {},
): Promise<ChildRuntime> {
  const port = Number(env['PORT']);
  const simulatorPort = Number(env['SIMULATOR_PORT']);
  if (!(port > 0) || !(simulatorPort > 0))
    throw new Error('startChildRuntime needs fixed PORT and SIMULATOR_PORT');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? REPO_ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let exit: ChildExit | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => {
    exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
    return exit;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const running: ChildRuntime = {
    pid: child.pid!,
    baseUrl,
    simulatorUrl: `http://127.0.0.1:${simulatorPort}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: async (signal) => {
      if (exit === undefined) child.kill(signal);
      return exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (exit !== undefined) {
          throw new GiveUp(
            `the runtime exited (${JSON.stringify(exit)}) before it was ready:\n${err}\n${out}`,
          );
        }
        const response = await fetch(`${baseUrl}/readyz`);
        return response.status === 200;
      },
      {
        timeoutMs: options.readyTimeoutMs ?? 20_000,
        intervalMs: 100,
        message: `runtime ready on ${baseUrl}`,
      },
    );
  } catch (error) {
    await running.kill('SIGKILL');
    throw error;
  }
  return running;
}
