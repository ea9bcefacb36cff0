/** Service identifiers of things that are not ports (ports export their own symbols). */
export const TOKENS = {
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Lifecycle: Symbol.for('Lifecycle'),
  ReadinessChecks: Symbol.for('ReadinessChecks'),
  JimengBaseUrl: Symbol.for('JimengBaseUrl'),
  ApiKeys: Symbol.for('ApiKeys'),
  MetricsRegistry: Symbol.for('MetricsRegistry'),
  Metrics: Symbol.for('Metrics'),
  GenerationWorker: Symbol.for('GenerationWorker'),
  LeaseReaper: Symbol.for('LeaseReaper'),
  Projector: Symbol.for('Projector'),
  EventRelay: Symbol.for('EventRelay'),
  CallbackDispatcher: Symbol.for('CallbackDispatcher'),
  QuotaScheduler: Symbol.for('QuotaScheduler'),
  HttpApp: Symbol.for('HttpApp'),
} as const;
