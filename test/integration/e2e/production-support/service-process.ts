import { join } from 'node:path';
import { repoRoot } from '../../../infra/paths';
import { describeExit, spawnServer, type ServerProcess } from '../../../infra/process';
import { GiveUp, waitFor } from '../../../support/wait-for';

export type ServiceRole = 'api' | 'worker' | 'projector' | 'relay';

/** The processes of the compose file: one per role, two workers sharing the pool. */
export const COMPOSE_ROLES = [
  { name: 'api', role: 'api' },
  { name: 'relay', role: 'relay' },
  { name: 'projector', role: 'projector' },
  { name: 'worker-1', role: 'worker' },
  { name: 'worker-2', role: 'worker' },
] as const;

/** One `node src/main.ts --role <role>` process, as one container of a compose file would run it. */
export interface ServiceProcess {
  /** e.g. `worker-2`. */
  readonly name: string;
  readonly role: ServiceRole;
  readonly url: string;
  readonly pid: number;
  /** How it ended; undefined while it runs. */
  exitDescription(): string | undefined;
  logTail(maxChars?: number): string;
  /** Signals the process and resolves once it is gone (SIGKILL after `timeoutMs`). */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
  exited: ServerProcess['exited'];
}

export interface StartServiceOptions {
  name: string;
  role: ServiceRole;
  port: number;
  /** The complete environment (nothing is inherited but PATH and HOME). */
  env: Record<string, string>;
  logDir: string;
}

/** Runs the TypeScript entry point through tsx, the way `npm run dev` does. */
export function startService(options: StartServiceOptions): ServiceProcess {
  const server = spawnServer({
    name: options.name,
    command: process.execPath,
    args: ['--import', 'tsx', join(repoRoot, 'src', 'main.ts'), '--role', options.role],
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(options.port),
    },
    logFile: join(options.logDir, `${options.name}.log`),
  });
  return {
    name: options.name,
    role: options.role,
    url: `http://127.0.0.1:${options.port}`,
    pid: server.pid,
    exitDescription: () => {
      const exit = server.exitInfo();
      return exit ? describeExit(exit) : undefined;
    },
    logTail: (maxChars = 3000) => server.logTail(maxChars),
    stop: (stopOptions) => server.stop(stopOptions),
    exited: server.exited,
  };
}

/** Resolves once the process answers 200 on /readyz (its stores and broker are reachable). */
export async function waitUntilReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const exit = service.exitDescription();
      if (exit) throw new GiveUp(`${service.name} ${exit} before it was ready:\n${service.logTail()}`);
      const answer = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(3000) });
      return answer.status === 200;
    },
    { timeoutMs, intervalMs: 250, message: `${service.name} to answer /readyz` },
  );
}

/** Every process's state and the end of its output, for a failure message. */
export function describeServices(services: readonly ServiceProcess[], maxChars = 2500): string {
  return services
    .map((service) => {
      const state = service.exitDescription() ?? 'running';
      const tail = service.logTail(maxChars).trimEnd() || '(no output)';
      return `--- ${service.name} (pid ${service.pid}, ${state}) ---\n${tail}`;
    })
    .join('\n');
}
