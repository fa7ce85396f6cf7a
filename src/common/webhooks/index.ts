export * from './webhook-outbox';
export * from './webhook-event-types';
