export * from './callback-url-policy';
export * from './callback-signature';
export * from './callback-backoff';
export * from './callback-plan';
export * from './callback-payload';
export * from './callback-sender';
export * from './callback-dispatcher';
