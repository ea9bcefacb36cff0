import type { SessionBehaviourPatch, SimulatorConfigPatch } from '../../../../src/simulator/behaviour';

export type { SessionStats } from '../../../../src/simulator/accounts';
import type { SessionStats } from '../../../../src/simulator/accounts';

export interface SimulatorStats {
  sessions: Record<string, SessionStats>;
  totals: Omit<SessionStats, 'inFlight' | 'peakConcurrency'> & Record<string, unknown>;
}

/** The simulator's control API (`/__sim`) over HTTP, as a test outside the runtime sees it. */
export class SimulatorControlClient {
  constructor(readonly baseUrl: string) {}

  putSession(sessionId: string, behaviour: SessionBehaviourPatch): Promise<unknown> {
    return this.call('PUT', `/__sim/sessions/${encodeURIComponent(sessionId)}`, behaviour);
  }

  putConfig(config: SimulatorConfigPatch): Promise<unknown> {
    return this.call('PUT', '/__sim/config', config);
  }

  stats(): Promise<SimulatorStats> {
    return this.call('GET', '/__sim/stats') as Promise<SimulatorStats>;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }
}
