import type { ReadModelDiff } from './read-model-diff';
import type { RunOutcomes } from './run-outcomes';

/**
 * What every crash run must show, whatever the profile: nothing lost, nothing completed twice, read
 * models that say what the event store says and equal a rebuild from it. Call inside a describe.
 */
export function itKeepsTheRunInvariants(
  run: () => { outcomes: RunOutcomes; rebuild: ReadModelDiff },
  storyboards: number,
): void {
  it('loses no accepted storyboard: each ends completed or failed for a recorded reason', () => {
    const { outcomes } = run();
    expect(outcomes.lost).toEqual([]);
    expect(outcomes.completed + outcomes.failed).toBe(storyboards);
    expect(outcomes.wrongOutcome).toEqual([]);
  });

  it('completes no storyboard twice (one terminal event per record run in the event store)', () => {
    expect(run().outcomes.duplicated).toEqual([]);
  });

  it('shows in the read models what the event store says of every record', () => {
    expect(run().outcomes.mismatched).toEqual([]);
  });

  it('has read models equal to a rebuild from the event store', () => {
    const { rebuild } = run();
    expect(rebuild.compared).toBeGreaterThan(storyboards);
    expect(rebuild.differences).toEqual([]);
  });
}
