import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GlobalAuthGuard } from './common/auth';
import { AllExceptionsFilter } from './common/errors';
import { IdempotencyModule } from './common/idempotency';
import { AppConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './modules/audit/audit.module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AuthModule } from './modules/auth/auth.module';
import { CustomersModule } from './modules/customers/customers.module';
import { EmailModule } from './modules/email/email.module';
import { HealthModule } from './modules/health/health.module';
import { InfoModule } from './modules/info/info.module';
import { LicenseTemplatesModule } from './modules/license-templates/license-templates.module';
import { LicensesModule } from './modules/licenses/licenses.module';
import { LicensingApiModule } from './modules/licensing-api/licensing-api.module';
import { LogModule } from './modules/log/log.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { OrdersModule } from './modules/orders/orders.module';
import { PortalModule } from './modules/portal/portal.module';
import { ProductsModule } from './modules/products/products.module';
import { ReportsModule } from './modules/reports/reports.module';
import { ResourcesModule } from './modules/resources/resources.module';
import { RolesModule } from './modules/roles/roles.module';
import { SettingsModule } from './modules/settings/settings.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    IdempotencyModule,
    SettingsModule,
    AuthModule,
    HealthModule,
    RolesModule,
    UsersModule,
    ApiKeysModule,
    LogModule,
    AuditModule,
    ReportsModule,
    EmailModule,
    CustomersModule,
    ResourcesModule,
    ProductsModule,
    OrdersModule,
    LicenseTemplatesModule,
    LicensesModule,
    LicensingApiModule,
    InfoModule,
    MetricsModule,
    WebhooksModule,
    PortalModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_GUARD, useClass: GlobalAuthGuard },
  ],
})
export class AppModule {}
