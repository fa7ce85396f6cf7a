import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceEntity } from '../resources/resource.entity';
import { AssembliesController } from './assemblies.controller';
import { AssembliesService } from './assemblies.service';
import { AssemblyEntity } from './assembly.entity';
import { ProductEntity } from './product.entity';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { ReleaseEntity } from './release.entity';
import { ReleasesController } from './releases.controller';
import { ReleasesService } from './releases.service';

/** The catalogue: products, their releases, and the assemblies that ship in releases. */
@Module({
  imports: [TypeOrmModule.forFeature([ProductEntity, ReleaseEntity, AssemblyEntity, ResourceEntity])],
  controllers: [ProductsController, ReleasesController, AssembliesController],
  providers: [ProductsRepository, ProductsService, ReleasesService, AssembliesService],
  exports: [ProductsService],
})
export class ProductsModule {}
