export * from './codes';
export * from './stream-ids';
export {
  DEFAULT_QUOTA_RESET_TIME,
  quotaResetTime as quotaResetTimeSchema,
  type QuotaResetTime,
} from './schema-primitives';
export * from './account-events';
export * from './generation-events';
export * from './upcasters';
export * from './domain-event';
