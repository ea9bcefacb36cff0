export * from './relayed-event';
export * from './relay-messages';
export * from './batch-reader';
export * from './event-relay';
