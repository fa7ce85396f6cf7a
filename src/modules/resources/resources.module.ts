import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceEntity } from './resource.entity';
import { ResourcesController } from './resources.controller';
import { ResourcesRepository } from './resources.repository';
import { ResourcesService } from './resources.service';
import { SigningKeysService } from './signing-keys.service';

/** Resources: files, email templates and signature keys. SigningKeysService is what license signing injects. */
@Module({
  imports: [TypeOrmModule.forFeature([ResourceEntity])],
  controllers: [ResourcesController],
  providers: [ResourcesRepository, ResourcesService, SigningKeysService],
  exports: [ResourcesService, SigningKeysService],
})
export class ResourcesModule {}
