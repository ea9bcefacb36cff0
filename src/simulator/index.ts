export { startSimulator, createSimulatorApp } from './server';
export type { StartSimulatorOptions, RunningSimulator } from './server';
export { Simulator } from './simulator';
export type { SimulatorControl, SimulatorOptions } from './simulator';
export type { SessionStats, SimulatorStats, SessionView } from './accounts';
export {
  DEFAULT_BEHAVIOUR,
  DEFAULT_CONFIG,
  SessionBehaviourSchema,
  SessionBehaviourPatchSchema,
  SimulatorConfigSchema,
  SimulatorConfigPatchSchema,
} from './behaviour';
export type {
  SessionBehaviour,
  SessionBehaviourPatch,
  SimulatorConfig,
  SimulatorConfigPatch,
} from './behaviour';
