export * from './error-code';
export * from './api.exception';
export * from './all-exceptions.filter';
export * from './validation';
