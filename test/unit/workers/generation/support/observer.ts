import type { AttemptOutcome, JobDropReason, WorkerObserver } from '../../../../../src/workers/generation';

export type RecordingObserver = WorkerObserver & {
  drops: JobDropReason[];
  outcomes: AttemptOutcome[];
  switches: string[];
  waits: number;
};

/** Records what the worker reports through its observer hooks. */
export function recordingObserver(): RecordingObserver {
  const observer: RecordingObserver = {
    drops: [],
    outcomes: [],
    switches: [],
    waits: 0,
    onJobDropped: (reason) => void observer.drops.push(reason),
    onAttemptFinished: (outcome) => void observer.outcomes.push(outcome),
    onSwitch: (type, reason) => void observer.switches.push(`${type}:${reason}`),
    onWaiting: () => {
      observer.waits += 1;
    },
  };
  return observer;
}
