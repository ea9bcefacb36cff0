import { describeEmbeddedChaos } from '../../chaos/support/embedded-chaos-suite';

/**
 * The bounded form of test/chaos/embedded-chaos.test.ts for `npm test`: the embedded runtime
 * SIGKILLed at 3 random points of a 200-storyboard run, restarted on the same DATA_DIR each time.
 */
describeEmbeddedChaos({
  label: 'bounded',
  storyboards: 200,
  kills: 3,
  settleTimeoutMs: 60_000,
  runTimeoutMs: 150_000,
});
