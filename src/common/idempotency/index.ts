export * from './idempotency.constants';
export * from './idempotent.decorator';
export * from './idempotency.module';
export * from './idempotency.service';
