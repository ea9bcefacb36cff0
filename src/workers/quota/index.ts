export * from './quota-scheduler';
