import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, loadConfiguration } from './configuration';

/** Injection token for the validated configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * `@nestjs/config` reads an optional `.env` file into the environment; `loadConfiguration` then
 * validates everything once, so a bad variable stops the start with a message naming it.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true, load: [() => ({ app: loadConfiguration(process.env) })] })],
  providers: [
    {
      provide: APP_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): AppConfig => config.get<AppConfig>('app')!,
    },
  ],
  exports: [APP_CONFIG],
})
export class AppConfigModule {}
