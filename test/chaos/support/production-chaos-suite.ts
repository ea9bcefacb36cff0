import { printFigures } from './chaos-figures';
import { chaosRandom } from './chaos-random';
import { itKeepsTheRunInvariants } from './run-invariants';
import { runProductionChaos, type ProductionChaosResult } from './production-chaos-run';

/**
 * The production chaos scenario as a jest suite. Used by the full run (test/chaos) and the bounded
 * one in `npm test` (test/integration/chaos).
 */
export function describeProductionChaos(options: {
  label: string;
  storyboards: number;
  workerKills: number;
  kafkaRestarts: number;
  mongoOutageMs: number;
  settleTimeoutMs: number;
  runTimeoutMs: number;
}): void {
  const title =
    `production profile: ${options.workerKills} worker kills, ${options.kafkaRestarts} broker restart(s)` +
    (options.mongoOutageMs > 0 ? `, MongoDB-wire server down ${options.mongoOutageMs / 1000} s` : '') +
    ` during ${options.storyboards} storyboards`;
  describe(title, () => {
    let result: ProductionChaosResult | undefined;
    const run = () => {
      if (!result) throw new Error('the chaos run did not finish (see the set-up error)');
      return result;
    };

    beforeAll(async () => {
      const random = chaosRandom();
      process.stderr.write(`[chaos] production ${options.label}: CHAOS_SEED=${random.seed}\n`);
      result = await runProductionChaos({ ...options, random });
      printFigures(result.figures);
      process.stderr.write(
        `[chaos] production ${options.label}: finished storyboards at each kill ` +
          `${JSON.stringify(result.kills.map((kill) => kill.done))}, generations in flight at each kill ` +
          `${JSON.stringify(result.kills.map((kill) => kill.inFlight))}, upstream cap violations ` +
          `${result.upstreamCapViolations}, crashes ${JSON.stringify(result.crashes)}, ` +
          `failed starts (restarted) ${JSON.stringify(result.failedStarts)}\n`,
      );
    }, options.runTimeoutMs);

    it('killed a worker outright each time, with storyboards still outstanding', () => {
      const { kills } = run();
      expect(kills.map((kill) => kill.exit)).toEqual(
        Array.from({ length: options.workerKills }, () => ({ code: null, signal: 'SIGKILL' })),
      );
      for (const kill of kills) expect(kill.done).toBeLessThan(options.storyboards);
    });

    itKeepsTheRunInvariants(run, options.storyboards);

    it('crashes no running process through the faults, and each stops cleanly on SIGTERM', () => {
      // A process started while the broker is down may give up starting (exit 1); compose starts it
      // again, as the cluster does: those are reported, not failures.
      const { crashes, finalExits } = run();
      expect(crashes).toEqual([]);
      expect(finalExits).toEqual({
        api: { code: 0, signal: null },
        relay: { code: 0, signal: null },
        projector: { code: 0, signal: null },
        'worker-1': { code: 0, signal: null },
        'worker-2': { code: 0, signal: null },
      });
    });
  });
}
