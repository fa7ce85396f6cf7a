import { Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
  constructor(private readonly dataSource: DataSource) {}

  /** The pool closes before an embedded server stops, so no connection sees the server go away. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await DatabaseServer.stop();
  }
}
