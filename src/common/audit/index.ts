export * from './audit-changes';
export * from './audit-recorder';
export * from './audit.subscriber';
