import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, fstatSync, rmSync } from 'node:fs';
import { findExecutable } from './toolchain';

export interface ServerProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr go here, so the tail can be shown when start-up fails. */
  logFile: string;
  /** Outlives this process (infra:up). Otherwise the server dies with this process. */
  detached?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  logTail(maxChars?: number): string;
  /** SIGTERM (unless told), then SIGKILL once `timeoutMs` has passed; resolves when the process is gone. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}

const attached = new Map<ChildProcess, string | undefined>();
let hooksInstalled = false;

/**
 * Kills the servers this process started when it ends in any way Node can observe. A SIGKILL of this
 * process is covered by the parent-death signal where `setpriv` exists, and by the ledger otherwise.
 */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = () => {
    for (const [child, dir] of attached) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
    attached.clear();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      process.removeListener(signal, onSignal);
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Starts a server process. `tempDir` is removed if this process has to kill the server on its way out. */
export function spawnServer(spec: ServerProcessSpec, tempDir?: string): ServerProcess {
  const log = openSync(spec.logFile, 'a');
  let command = spec.command;
  let args = spec.args;
  const setpriv = spec.detached ? undefined : findExecutable('setpriv');
  if (setpriv) {
    // The kernel sends SIGKILL to the server if this process dies, even by SIGKILL.
    args = ['--pdeathsig', 'KILL', '--', command, ...args];
    command = setpriv;
  }
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: spec.detached ?? false,
    });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) {
    throw new Error(`${spec.name}: could not start ${spec.command}`);
  }
  const pid = child.pid;
  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      attached.delete(child);
      resolve(exit);
    });
    child.once('error', () => {
      exit ??= { code: null, signal: null };
      attached.delete(child);
      resolve(exit);
    });
  });
  if (spec.detached) {
    child.unref();
  } else {
    installExitHooks();
    attached.set(child, tempDir);
  }

  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exited,
    exitInfo: () => exit,
    logTail: (maxChars = 4000) => readTail(spec.logFile, maxChars),
    async stop({ signal = 'SIGTERM', timeoutMs = 15000 } = {}) {
      if (exit) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Runs a build or set-up command; on failure the error carries the tail of its output. */
export function runToCompletion(command: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}):\n${output}`)),
    );
  });
}

export function readTail(file: string, maxChars: number): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxChars);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** True when `pid` runs and (where /proc exists) its command line still contains `marker`. */
export function isRunning(pid: number, marker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!marker || !existsSync('/proc/self/cmdline')) return true;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has an empty command line and is already dead for our purposes.
    if (/\) Z /.test(stat)) return false;
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** Stops a process this process did not start (found in a ledger): SIGTERM, then SIGKILL. */
export async function stopPid(pid: number, marker: string | undefined, timeoutMs = 15000): Promise<void> {
  if (!isRunning(pid, marker)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, marker)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
