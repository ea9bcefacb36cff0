import { describeEmbeddedChaos } from './support/embedded-chaos-suite';

/**
 * Reliability, embedded profile (full run, `npm run test:chaos`): the process is SIGKILLed at 20
 * random points of a 2,000-storyboard run and restarted on the same DATA_DIR each time. Nothing
 * accepted is lost, nothing completes twice, and the read models equal a rebuild from the event
 * store. CHAOS_SEED=<n> repeats a run's fault points; CHAOS_EMBEDDED_STORYBOARDS / _KILLS resize it.
 */
describeEmbeddedChaos({
  label: 'full',
  storyboards: Number(process.env['CHAOS_EMBEDDED_STORYBOARDS'] ?? 2000),
  kills: Number(process.env['CHAOS_EMBEDDED_KILLS'] ?? 20),
  settleTimeoutMs: 300_000,
  runTimeoutMs: 840_000,
});
