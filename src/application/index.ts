export * from './bounded-parallel';
export * from './item-outcome';
export * from './command-context';
export * from './session-id';
export * from './account-service';
export * from './generation-validation';
export * from './generation-service';
export * from './audit-service';
