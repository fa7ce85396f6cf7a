import { DynamicModule, Module } from '@nestjs/common';
import { AuditRecorder, AuditSubscriber } from '../common/audit';
import { PrincipalCache } from '../common/auth';
import { IdempotencyModule } from '../common/idempotency';
import { APP_CONFIG, AppConfig } from '../config';
import { DatabaseModule } from '../database/database.module';
import { ApiKeysModule } from '../modules/api-keys/api-keys.module';
import { OrdersModule } from '../modules/orders/orders.module';
import { ProductsModule } from '../modules/products/products.module';
import { ResourcesModule } from '../modules/resources/resources.module';
import { SettingsModule } from '../modules/settings/settings.module';
import { UsersModule } from '../modules/users/users.module';

/**
 * The services the admin commands call, exactly as the API uses them (hashing, permissions, audit events),
 * without the HTTP server, most background jobs or the principal listener. Global so that the database and
 * feature modules find the configuration and the shared providers the service's global modules would give.
 * The principal cache here stays empty: the running service learns of changed users and keys through the
 * database's NOTIFY triggers.
 */
@Module({})
export class AdminModule {
  static with(config: AppConfig): DynamicModule {
    return {
      module: AdminModule,
      global: true,
      imports: [
        DatabaseModule,
        SettingsModule,
        // The controllers of the feature modules are built too, and their @Idempotent() routes need its interceptor.
        IdempotencyModule,
        UsersModule,
        ApiKeysModule,
        ProductsModule,
        OrdersModule,
        ResourcesModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: PrincipalCache, useValue: new PrincipalCache({ maxAgeMs: 0 }) },
        AuditRecorder,
        AuditSubscriber,
      ],
      exports: [APP_CONFIG, PrincipalCache, AuditRecorder],
    };
  }
}
