export * from './relayed-event';
export * from './relay-messages';
export * from './event-relay';
