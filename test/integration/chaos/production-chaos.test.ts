import { describeProductionChaos } from '../../chaos/support/production-chaos-suite';

/**
 * The bounded form of test/chaos/production-chaos.test.ts for `npm test`: the production profile's
 * processes on a Kafka broker of this test (and the set-up's MongoDB-wire server); 3 worker kills
 * and one broker crash at random points of a 200-storyboard run.
 */
describeProductionChaos({
  label: 'bounded',
  storyboards: 200,
  workerKills: 3,
  kafkaRestarts: 1,
  mongoOutageMs: 0,
  settleTimeoutMs: 150_000,
  runTimeoutMs: 240_000,
});
