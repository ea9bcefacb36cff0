import { describeProductionChaos } from './support/production-chaos-suite';

/**
 * Reliability, production profile (full run, `npm run test:chaos`): api, relay, projector and two
 * workers as separate processes on EventStoreDB, a Kafka broker and a MongoDB-wire server of this
 * test. During a 2,000-storyboard run a worker is SIGKILLed (and restarted) at 20 random points, the
 * broker is crashed and restarted once and the MongoDB-wire server is stopped for 20 s once. Nothing
 * accepted is lost, nothing completes twice, and the read models equal a rebuild from the event
 * store. CHAOS_SEED=<n> repeats a run's fault points; CHAOS_PRODUCTION_STORYBOARDS / _KILLS resize it.
 */
describeProductionChaos({
  label: 'full',
  storyboards: Number(process.env['CHAOS_PRODUCTION_STORYBOARDS'] ?? 2000),
  workerKills: Number(process.env['CHAOS_PRODUCTION_KILLS'] ?? 20),
  kafkaRestarts: 1,
  mongoOutageMs: 20_000,
  settleTimeoutMs: 300_000,
  // The production profile went through ~1.1 storyboards/s on 2 shared cores (FerretDB-bound): the
  // 2,000 storyboards need ~35 min there, beyond the project's default 900 s.
  runTimeoutMs: Number(process.env['CHAOS_PRODUCTION_TIMEOUT_MS'] ?? 3_000_000),
});
