export * from './configuration';
export * from './config.module';
export * from './package-version';
