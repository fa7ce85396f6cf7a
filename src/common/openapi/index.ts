export * from './api-errors.decorator';
export * from './error-responses';
export * from './routes';
export * from './tags';
