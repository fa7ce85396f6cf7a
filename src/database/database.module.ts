import { Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseServer } from './database-server';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => ({
        ...dataSourceOptions(config, await DatabaseServer.resolveUrl(config), []),
        autoLoadEntities: true,
        migrationsRun: config.database.runMigrations,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await DatabaseServer.stop();
  }
}
