/** What every scenario process shares: its mode and profile, where its result goes, and waiting. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Profile } from './runtime';

export type Mode = 'quick' | 'full';

export interface ScenarioContext {
  mode: Mode;
  profile: Profile;
  /** Where the scenario writes its JSON result. */
  out: string;
  /** Directory for CPU profiles of the runtime process, when asked for. */
  cpuProfileDir?: string;
}

export function scenarioContext(): ScenarioContext {
  const out = process.env.BENCH_OUT;
  if (!out) throw new Error('BENCH_OUT is not set: scenarios are started by bench/run.ts');
  return {
    mode: process.env.BENCH_MODE === 'full' ? 'full' : 'quick',
    profile: process.env.BENCH_PROFILE === 'production' ? 'production' : 'embedded',
    out,
    ...(process.env.BENCH_CPU_PROFILE_DIR ? { cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR } : {}),
  };
}

/** Runs the scenario and writes its result; the process exits when done either way. */
export function runScenario(work: (context: ScenarioContext) => Promise<Record<string, unknown>>): void {
  const context = scenarioContext();
  // bench/run.ts is gone (stopped, crashed): stop too; the children of this scenario follow.
  process.on('disconnect', () => process.exit(1));
  work(context).then(
    (result) => {
      mkdirSync(dirname(context.out), { recursive: true });
      writeFileSync(context.out, JSON.stringify({ profile: context.profile, ...result }, null, 2));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}

/** Polls `condition` until it holds; throws when `timeoutMs` passes first. */
export async function waitUntil(
  condition: () => Promise<boolean>,
  { timeoutMs, intervalMs = 50, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The production servers' environment, when the bench runs against them. */
export function productionEnv(): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS, MONGO_URL, ESDB_URL } = process.env;
  return { KAFKA_BROKERS, MONGO_URL, ESDB_URL };
}

export const storyboardIds = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
