export * from './id-param.pipe';
