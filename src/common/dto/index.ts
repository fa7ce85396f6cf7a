export * from './fields';
export * from './copy-present';
