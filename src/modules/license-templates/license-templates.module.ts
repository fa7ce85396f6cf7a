import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProductEntity } from '../products/product.entity';
import { ResourcesModule } from '../resources/resources.module';
import { LicenseTemplateEntity } from './license-template.entity';
import { LicenseTemplatesController } from './license-templates.controller';
import { LicenseTemplatesRepository } from './license-templates.repository';
import { LicenseTemplatesService } from './license-templates.service';
import { LicensingReferences } from './licensing-references';
import { LicensingReferencesRepository } from './licensing-references.repository';

@Module({
  imports: [TypeOrmModule.forFeature([LicenseTemplateEntity, ProductEntity]), ResourcesModule],
  controllers: [LicenseTemplatesController],
  providers: [LicenseTemplatesRepository, LicensingReferencesRepository, LicenseTemplatesService, LicensingReferences],
  exports: [LicenseTemplatesService, LicensingReferences],
})
export class LicenseTemplatesModule {}
