import type { StoredEvent } from '../../../src/ports/event-store';

export interface AcceptedStoryboard {
  kind: 'image' | 'video';
  storyboardId: string;
  /** The record id the submit answered. */
  recordId: string;
  /** Its prompt asks for forbidden content: it must fail with CONTENT_REJECTED. */
  contentRejected: boolean;
}

/** What the read model shows of a record. */
export interface RecordState {
  generationStatus: number;
  errorCode: string | null;
}

export interface RunOutcomes {
  accepted: number;
  completed: number;
  failed: number;
  failedByCode: Record<string, number>;
  /** Accepted storyboards whose run has no terminal event (completed or failed). */
  lost: string[];
  /** Runs with more than one terminal event (a second completion, or completed and failed). */
  duplicated: string[];
  /** Records whose read model disagrees with their stream, or that it lacks. */
  mismatched: string[];
  /**
   * Content prompts that did not fail with CONTENT_REJECTED, or other prompts that did. (Other
   * prompts may fail for another recorded reason: that is counted in failedByCode, not here.)
   */
  wrongOutcome: string[];
  attemptsStarted: number;
  abandonedByReason: Record<string, number>;
}

const RUN_STARTS = new Set(['GenerationRequested', 'RegenerationRequested']);
const TERMINALS = new Set(['GenerationCompleted', 'GenerationFailed']);

/**
 * Checks each accepted storyboard against its slot stream (the event store is the truth) and the
 * read model: one run per record here (nothing is regenerated), ended by exactly one
 * GenerationCompleted or GenerationFailed, which the read model shows.
 */
export function checkRunOutcomes(
  projectId: string,
  accepted: readonly AcceptedStoryboard[],
  streams: ReadonlyMap<string, readonly StoredEvent[]>,
  records: ReadonlyMap<string, RecordState>,
): RunOutcomes {
  const outcomes: RunOutcomes = {
    accepted: accepted.length,
    completed: 0,
    failed: 0,
    failedByCode: {},
    lost: [],
    duplicated: [],
    mismatched: [],
    wrongOutcome: [],
    attemptsStarted: 0,
    abandonedByReason: {},
  };
  for (const storyboard of accepted) {
    const label = `${storyboard.kind}/${storyboard.storyboardId}`;
    const events = (streams.get(`${storyboard.kind}-${projectId}.${storyboard.storyboardId}`) ?? []).filter(
      (event) => (event.data as { recordId?: string }).recordId === storyboard.recordId,
    );
    const runs: StoredEvent[][] = [];
    for (const event of events) {
      if (RUN_STARTS.has(event.type)) runs.push([]);
      runs.at(-1)?.push(event);
      if (event.type === 'GenerationStarted') outcomes.attemptsStarted += 1;
      if (event.type === 'AttemptAbandoned') {
        const reason = String((event.data as { reason: unknown }).reason);
        outcomes.abandonedByReason[reason] = (outcomes.abandonedByReason[reason] ?? 0) + 1;
      }
    }
    if (runs.length !== 1) {
      // Requested never (lost at intake) or twice (accepted twice): either breaks "one record, one run".
      (runs.length === 0 ? outcomes.lost : outcomes.duplicated).push(`${label}: ${runs.length} runs`);
      continue;
    }
    const terminals = runs[0]!.filter((event) => TERMINALS.has(event.type));
    if (terminals.length === 0) {
      outcomes.lost.push(label);
      continue;
    }
    if (terminals.length > 1) {
      outcomes.duplicated.push(`${label}: ${terminals.map((event) => event.type).join(', ')}`);
      continue;
    }
    const terminal = terminals[0]!;
    const errorCode =
      terminal.type === 'GenerationFailed'
        ? String((terminal.data as { errorCode: unknown }).errorCode)
        : null;
    if (errorCode === null) {
      outcomes.completed += 1;
    } else {
      outcomes.failed += 1;
      outcomes.failedByCode[errorCode] = (outcomes.failedByCode[errorCode] ?? 0) + 1;
    }
    if (storyboard.contentRejected !== (errorCode === 'CONTENT_REJECTED')) {
      outcomes.wrongOutcome.push(`${label}: ${errorCode ?? 'completed'}`);
    }
    const record = records.get(storyboard.recordId);
    const expected = { generationStatus: errorCode === null ? 2 : 3, errorCode };
    if (
      !record ||
      record.generationStatus !== expected.generationStatus ||
      record.errorCode !== expected.errorCode
    ) {
      outcomes.mismatched.push(
        `${label}: read model ${JSON.stringify(record ?? null)}, stream ${JSON.stringify(expected)}`,
      );
    }
  }
  return outcomes;
}
