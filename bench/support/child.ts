/**
 * Child processes of the bench (scenarios, the runtime, the simulator): TypeScript run through tsx,
 * talking JSON messages over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Message {
  type: string;
  [field: string]: unknown;
}

export interface Child {
  readonly process: ChildProcess;
  /** The next message of this type (rejects when the child exits first or the time is up). */
  next<T extends Message>(type: string, timeoutMs: number): Promise<T>;
  send(message: Message): void;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
  /** SIGKILL if still running. */
  kill(): void;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Child's stdout/stderr shown (default: stderr only). */
  stdout?: 'inherit' | 'ignore';
}

export function spawnTs(file: string, options: SpawnOptions = {}): Child {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', file, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'],
    },
  );
  const inbox: Message[] = [];
  const waiting: { type: string; resolve: (m: Message) => void }[] = [];
  child.on('message', (raw) => {
    const message = raw as Message;
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    exited,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    next<T extends Message>(type: string, timeoutMs: number): Promise<T> {
      const queued = inbox.findIndex((m) => m.type === type);
      if (queued >= 0) return Promise.resolve(inbox.splice(queued, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const entry = {
          type,
          resolve: (m: Message) => {
            clearTimeout(timer);
            resolve(m as T);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`${file}: no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(entry);
        void exited.then((code) => {
          if (!waiting.includes(entry)) return;
          clearTimeout(timer);
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`${file} exited (code ${code}) before sending "${type}"`));
        });
      });
    },
  };
}

/** In a child: answers messages of the parent; `stop` ends the process once the handler is done. */
export function serveParent(handlers: Record<string, (message: Message) => Promise<Message | void>>): void {
  process.on('message', (raw) => {
    const message = raw as Message;
    const handler = handlers[message.type];
    if (!handler) return;
    handler(message).then(
      (reply) => {
        if (reply) process.send?.(reply);
        if (message.type === 'stop') process.exit(0);
      },
      (error: unknown) => {
        process.send?.({ type: 'error', message: error instanceof Error ? error.stack : String(error) });
        if (message.type === 'stop') process.exit(1);
      },
    );
  });
  // The parent died: nobody is left to stop us.
  process.on('disconnect', () => process.exit(0));
}
