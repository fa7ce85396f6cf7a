import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config';
import { LicenseEntity } from '../licenses/license.entity';
import { LicensesModule } from '../licenses/licenses.module';
import { ReportsModule } from '../reports/reports.module';
import { ResourcesModule } from '../resources/resources.module';
import { SettingsService } from '../settings/settings.service';
import { ActivationService } from './activation.service';
import { ClientLicensesRepository } from './client-licenses.repository';
import { ClientLicensesService } from './client-licenses.service';
import { ClientReportsService } from './client-reports.service';
import { ClientTokensRepository } from './client-tokens.repository';
import { FloatingService } from './floating.service';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseTransactionsService } from './license-transactions.service';
import { LicensingApiController } from './licensing-api.controller';
import { LicensingThrottlerGuard, licensingThrottlerOptions } from './licensing-throttling';
import { NodeLockedLicensesRepository } from './node-locked-licenses.repository';
import { NodeLockedLicensesService } from './node-locked-licenses.service';
import { PreparedStatementsService } from './prepared-statements.service';
import { TokenSweeperService } from './token-sweeper.service';
import { ValidationService } from './validation.service';

/**
 * The client Licensing API (/v1/license/…): activation, floating seats, validation, heartbeat and
 * reports, plus the sweep of expired tokens. Its rate limits guard only its own controller.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([LicenseEntity]),
    LicensesModule,
    ResourcesModule,
    ReportsModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, SettingsService],
      useFactory: (config: AppConfig, settings: SettingsService) => licensingThrottlerOptions(config, settings),
    }),
  ],
  controllers: [LicensingApiController],
  // The customer portal frees a machine exactly as the client API's deactivate does.
  exports: [ActivationService],
  providers: [
    PreparedStatementsService,
    ClientLicensesRepository,
    ClientTokensRepository,
    NodeLockedLicensesRepository,
    ClientLicensesService,
    LicenseIntegrityService,
    LicenseTransactionsService,
    NodeLockedLicensesService,
    ActivationService,
    FloatingService,
    ValidationService,
    ClientReportsService,
    TokenSweeperService,
    LicensingThrottlerGuard,
  ],
})
export class LicensingApiModule {}
