export * from './metrics';
export * from './pool-state';
