import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module';
import { LicensingApiModule } from '../licensing-api/licensing-api.module';
import { PortalDeactivationEntity } from './portal-deactivation.entity';
import { PortalController } from './portal.controller';
import { PortalRepository } from './portal.repository';
import { PortalService } from './portal.service';

/** The customer portal (/v1/portal/…): a Customer user's own licenses, activations and seats. */
@Module({
  imports: [TypeOrmModule.forFeature([PortalDeactivationEntity]), LicensesModule, LicensingApiModule],
  controllers: [PortalController],
  providers: [PortalRepository, PortalService],
})
export class PortalModule {}
