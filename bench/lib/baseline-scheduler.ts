/**
 * The naive scheduler the pool scenario compares against: the requirement read literally. Each job
 * takes a random account among the active ones; on any error it takes another random account and
 * tries again at once. No cooldowns, no concurrency caps, no site fallback, no account state: every
 * job runs from the start, all at the same time.
 */
import type { ImageGenerationParams, JimengGateway, JimengSession } from '../../src/jimeng/gateway';

export interface BaselineAccount {
  id: string;
  session: JimengSession;
}

export interface BaselineJob {
  storyboardId: string;
  params: ImageGenerationParams;
}

export interface BaselineOptions {
  /** Uniform in [0, 1). */
  random: () => number;
  /** A job that used this many attempts is given up (lost): the bench must end by itself. */
  maxAttemptsPerJob: number;
  /** Jobs still running after this long are given up (lost). */
  deadlineMs: number;
  now?: () => number;
}

export interface BaselineReport {
  makespanMs: number;
  completed: number;
  lost: number;
  attempts: number;
  /** Failed attempts by error class. */
  errors: Record<string, number>;
  /** Elapsed time of each successful call, the work actually done. */
  successLatenciesMs: number[];
  /** Most calls running at once. */
  peakInFlight: number;
}

/**
 * A random account of `active`, other than `failed` when another exists (a retry must switch).
 * Undefined only when there is no active account.
 */
export function pickAccount<T extends { id: string }>(
  active: readonly T[],
  random: () => number,
  failed?: string,
): T | undefined {
  const choices = active.length > 1 && failed !== undefined ? active.filter((a) => a.id !== failed) : active;
  if (choices.length === 0) return undefined;
  return choices[Math.min(Math.floor(random() * choices.length), choices.length - 1)];
}

export async function runBaseline(
  jobs: readonly BaselineJob[],
  active: readonly BaselineAccount[],
  gateway: JimengGateway,
  options: BaselineOptions,
): Promise<BaselineReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const errors: Record<string, number> = {};
  const successLatenciesMs: number[] = [];
  let attempts = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let lastCompletion = started;

  const runJob = async (job: BaselineJob): Promise<boolean> => {
    let failed: string | undefined;
    for (let tries = 0; tries < options.maxAttemptsPerJob; tries++) {
      if (now() - started > options.deadlineMs) return false;
      const account = pickAccount(active, options.random, failed);
      if (account === undefined) return false;
      attempts += 1;
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      const result = await gateway.generateImages(account.session, job.params).finally(() => {
        inFlight -= 1;
      });
      if (result.ok) {
        successLatenciesMs.push(result.elapsedMs);
        lastCompletion = now();
        return true;
      }
      errors[result.error.errorClass] = (errors[result.error.errorClass] ?? 0) + 1;
      failed = account.id;
    }
    return false;
  };

  const outcomes = await Promise.all(jobs.map(runJob));
  const completed = outcomes.filter(Boolean).length;
  return {
    makespanMs: lastCompletion - started,
    completed,
    lost: jobs.length - completed,
    attempts,
    errors,
    successLatenciesMs,
    peakInFlight,
  };
}
