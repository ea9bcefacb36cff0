import { printFigures } from './chaos-figures';
import { chaosRandom } from './chaos-random';
import { itKeepsTheRunInvariants } from './run-invariants';
import { runEmbeddedChaos, type EmbeddedChaosResult } from './embedded-chaos-run';

/**
 * The embedded chaos scenario as a jest suite: `storyboards` accepted, the process SIGKILLed `kills`
 * times at random points and restarted on the same DATA_DIR. Used by the full run (test/chaos) and
 * the bounded one in `npm test` (test/integration/chaos).
 */
export function describeEmbeddedChaos(options: {
  label: string;
  storyboards: number;
  kills: number;
  settleTimeoutMs: number;
  runTimeoutMs: number;
}): void {
  describe(`embedded runtime SIGKILLed ${options.kills} times during ${options.storyboards} storyboards`, () => {
    let result: EmbeddedChaosResult | undefined;
    const run = () => {
      if (!result) throw new Error('the chaos run did not finish (see the set-up error)');
      return result;
    };

    beforeAll(async () => {
      const random = chaosRandom();
      process.stderr.write(`[chaos] embedded ${options.label}: CHAOS_SEED=${random.seed}\n`);
      result = await runEmbeddedChaos({ ...options, random });
      printFigures(result.figures);
    }, options.runTimeoutMs);

    it('killed the process outright each time, with storyboards still outstanding', () => {
      const { killExits, doneAtKills } = run();
      expect(killExits).toEqual(
        Array.from({ length: options.kills }, () => ({ code: null, signal: 'SIGKILL' })),
      );
      expect(Math.max(...doneAtKills)).toBeLessThan(options.storyboards);
    });

    itKeepsTheRunInvariants(run, options.storyboards);

    it('stops cleanly on SIGTERM after all the kills', () => {
      expect(run().finalExit).toEqual({ code: 0, signal: null });
    });
  });
}
