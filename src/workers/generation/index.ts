export * from './worker-config';
export * from './worker-observer';
export * from './generation-worker';
export * from './lease-reaper';
export * from './lease-holder';
export { poolAccountFromView } from './pool-snapshot';
export { WorkerStoppingError } from './job-handler';
