import type { ReadModelDiff } from './read-model-diff';
import type { RunOutcomes } from './run-outcomes';

/** What one chaos run did and what it found: the figures the README's Reliability section quotes. */
export interface ChaosFigures {
  run: string;
  seed: number;
  storyboards: number;
  /** Fault by kind: processes killed and restarted, broker restarts, store outages. */
  faults: Record<string, number>;
  completed: number;
  failed: number;
  failedByCode: Record<string, number>;
  lost: number;
  duplicated: number;
  readModelMismatches: number;
  readModelDocumentsCompared: number;
  rebuildDifferences: number;
  attemptsStarted: number;
  abandonedByReason: Record<string, number>;
  runMs: number;
}

export function chaosFigures(
  run: string,
  seed: number,
  faults: Record<string, number>,
  outcomes: RunOutcomes,
  rebuild: ReadModelDiff,
  runMs: number,
): ChaosFigures {
  return {
    run,
    seed,
    storyboards: outcomes.accepted,
    faults,
    completed: outcomes.completed,
    failed: outcomes.failed,
    failedByCode: outcomes.failedByCode,
    lost: outcomes.lost.length,
    duplicated: outcomes.duplicated.length,
    readModelMismatches: outcomes.mismatched.length,
    readModelDocumentsCompared: rebuild.compared,
    rebuildDifferences: rebuild.differences.length,
    attemptsStarted: outcomes.attemptsStarted,
    abandonedByReason: outcomes.abandonedByReason,
    runMs,
  };
}

/** One line on stderr, greppable as `[chaos]`. */
export function printFigures(figures: ChaosFigures): void {
  process.stderr.write(`[chaos] ${JSON.stringify(figures)}\n`);
}
