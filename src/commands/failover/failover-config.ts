import type { GenerationKind, Site } from '../../events';
import { DEFAULT_SITE_FALLBACK_ORDER } from '../selection/site-order';

export interface FailoverConfig {
  fallbackOrder: readonly Site[];
  /** Attempts one run may make, switches included. */
  switchBudget: number;
  /** From the request (or regeneration) to giving up. */
  deadlineMs: Record<GenerationKind, number>;
  /** First rate-limit cooldown; doubles per consecutive strike up to the maximum. */
  rateLimitBaseMs: number;
  rateLimitMaxMs: number;
  /** A rate limit that ended longer ago than this no longer counts as a strike. */
  strikeMemoryMs: number;
  /** Resubmissions after a timeout that may have been accepted (and billed) upstream. */
  maxTimeoutResubmissions: number;
  /** Upstream failures one run retries; the next one fails the record. */
  maxUpstreamFailures: number;
}

const MINUTE = 60_000;

export const DEFAULT_FAILOVER_CONFIG: FailoverConfig = {
  fallbackOrder: DEFAULT_SITE_FALLBACK_ORDER,
  switchBudget: 10,
  deadlineMs: { image: 30 * MINUTE, video: 60 * MINUTE },
  rateLimitBaseMs: MINUTE,
  rateLimitMaxMs: 30 * MINUTE,
  strikeMemoryMs: 60 * MINUTE,
  maxTimeoutResubmissions: 1,
  maxUpstreamFailures: 3,
};

export function runDeadline(kind: GenerationKind, runStartedAt: string | Date, config: FailoverConfig): Date {
  return new Date(new Date(runStartedAt).getTime() + config.deadlineMs[kind]);
}
