export * from './projected-event';
export * from './account-projection';
export * from './generation-record-projection';
export * from './project-event';
export * from './position-waiters';
export * from './projector';
