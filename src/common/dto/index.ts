export * from './fields';
export * from './copy-present';
export * from './embedded-fields';
