import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { LicenseTemplatesModule } from '../license-templates/license-templates.module';
import { OrderEntity } from '../orders/order.entity';
import { ProductEntity } from '../products/product.entity';
import { ResourcesModule } from '../resources/resources.module';
import { LicenseTokenEntity } from './license-token.entity';
import { LicenseTokensController } from './license-tokens.controller';
import { LicenseTokensRepository } from './license-tokens.repository';
import { LicenseTokensService } from './license-tokens.service';
import { LicenseTraceEntity } from './license-trace.entity';
import { LicenseTracesController } from './license-traces.controller';
import { LicenseTracesRepository } from './license-traces.repository';
import { LicenseTracesService } from './license-traces.service';
import { LicenseEntity } from './license.entity';
import { LicensesController } from './licenses.controller';
import { LicensesRepository } from './licenses.repository';
import { LicensesService } from './licenses.service';

/**
 * Licenses with their tokens and traces. LicenseTokensService (allocate, release, recordTrace) is
 * exported for the client licensing API, which activates and leases seats through it.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      LicenseEntity,
      LicenseTokenEntity,
      LicenseTraceEntity,
      CustomerEntity,
      OrderEntity,
      ProductEntity,
    ]),
    LicenseTemplatesModule,
    ResourcesModule,
  ],
  controllers: [LicensesController, LicenseTokensController, LicenseTracesController],
  providers: [
    LicensesRepository,
    LicenseTokensRepository,
    LicenseTracesRepository,
    LicensesService,
    LicenseTokensService,
    LicenseTracesService,
  ],
  exports: [LicensesService, LicenseTokensService],
})
export class LicensesModule {}
