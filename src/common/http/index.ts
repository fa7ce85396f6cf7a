export * from './id-param.pipe';
export * from './server-limits';
export * from './input-gate';
export * from './console-static';
export * from './direct-route';
