export * from './access';
export * from './principal';
export * from './decorators';
export * from './api-key-hash';
export * from './strategies';
export * from './auth.guard';
export * from './passwords';
export * from './route-access';
