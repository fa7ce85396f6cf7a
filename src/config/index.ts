export * from './configuration';
export * from './config.module';
