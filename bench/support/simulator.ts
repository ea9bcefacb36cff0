import { join } from 'node:path';
import type { SessionBehaviourPatch, SimulatorConfigPatch, SimulatorStats } from '../../src/simulator';
import { spawnTs } from './child';

export interface SimulatorProcess {
  url: string;
  putSession(sessionId: string, behaviour: SessionBehaviourPatch): Promise<void>;
  stats(): Promise<SimulatorStats>;
  stop(): Promise<void>;
}

/** A simulator in its own process, driven through its control API. */
export async function startSimulatorProcess(config: SimulatorConfigPatch): Promise<SimulatorProcess> {
  const child = spawnTs(join(__dirname, 'simulator-host.ts'), { args: [JSON.stringify(config)] });
  const { url } = await child.next<{ type: 'ready'; url: string }>('ready', 30_000).catch((error) => {
    child.kill();
    throw error;
  });
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  return {
    url,
    putSession: async (sessionId, behaviour) =>
      void (await control('PUT', `sessions/${encodeURIComponent(sessionId)}`, behaviour)),
    stats: async () => (await control('GET', 'stats')) as SimulatorStats,
    stop: async () => {
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill(), 5_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
