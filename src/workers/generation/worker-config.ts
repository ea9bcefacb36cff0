import { DEFAULT_FAILOVER_CONFIG, type FailoverConfig } from '../../commands';
import type { GenerationKind } from '../../events';

export interface GenerationWorkerConfig {
  /** Consumer group of topic jimeng.jobs shared by every generation worker instance. */
  groupId: string;
  /**
   * Partitions (keys) whose jobs this instance handles at once. The default is the topics' default
   * partition count: a worker left alone (the other one died) claims on every partition at once
   * instead of on half of them, as claims wait on the stores, not on this process's CPU.
   */
  consumerConcurrency: number;
  /** Attempts this process runs at once; beyond it, jobs wait on the bus (back-pressure). */
  maxInFlight: number;
  /** Lifetime of an account lease; renewed every third of it while the call runs. */
  leaseTtlMs: number;
  reaperIntervalMs: number;
  /** How long one Jimeng call may take, by kind. */
  deadlines: Record<GenerationKind, number>;
  failover: FailoverConfig;
  /** Uniform in [0, 1), for the weighted choice among accounts; seedable in tests. */
  random: () => number;
  /** How often a handler that waits (notBefore, capacity, cooldown) tells the bus it is alive. */
  heartbeatIntervalMs: number;
  /** Longest wait between two looks at the pool while a job waits for an account. */
  maxWaitMs: number;
  /** How soon to look again when only concurrency caps block (a slot frees at an unknown time). */
  concurrencyPollMs: number;
  /** Rounds of account-event conflicts after which a failure is recorded without account events. */
  accountConflictRetries: number;
  /** `actor` of the events this worker appends. */
  actor: string;
}

const MINUTE = 60_000;

export const DEFAULT_GENERATION_WORKER_CONFIG: GenerationWorkerConfig = {
  groupId: 'generation-workers',
  consumerConcurrency: 8,
  maxInFlight: 256,
  leaseTtlMs: 30_000,
  reaperIntervalMs: 5_000,
  deadlines: { image: 15 * MINUTE, video: 30 * MINUTE },
  failover: DEFAULT_FAILOVER_CONFIG,
  random: Math.random,
  heartbeatIntervalMs: 3_000,
  maxWaitMs: 10_000,
  concurrencyPollMs: 1_000,
  accountConflictRetries: 3,
  actor: 'generation-worker',
};

export type GenerationWorkerConfigInput = Partial<Omit<GenerationWorkerConfig, 'deadlines'>> & {
  deadlines?: Partial<Record<GenerationKind, number>>;
};

export function generationWorkerConfig(input: GenerationWorkerConfigInput = {}): GenerationWorkerConfig {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const config: GenerationWorkerConfig = {
    ...DEFAULT_GENERATION_WORKER_CONFIG,
    ...defined,
    deadlines: { ...DEFAULT_GENERATION_WORKER_CONFIG.deadlines, ...input.deadlines },
  };
  for (const key of ['consumerConcurrency', 'maxInFlight'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new RangeError(`${key} must be an integer >= 1`);
  }
  for (const key of ['leaseTtlMs', 'reaperIntervalMs', 'heartbeatIntervalMs', 'maxWaitMs'] as const) {
    if (!(config[key] > 0)) throw new RangeError(`${key} must be > 0`);
  }
  return config;
}
