import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { copyPresent, toDateOrNull } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { AssembliesService } from './assemblies.service';
import { assertNotReferenced } from '../../database/referencing-rows';
import { ProductEntity } from './product.entity';
import {
  AssemblyDto,
  GetAssembliesResponse,
  GetProductReleasesResponse,
  InsertProductReleaseAssemblyRequest,
  InsertProductReleaseAssemblyResponse,
  InsertProductReleaseResponse,
  ReleaseDto,
  UpdateProductReleaseAssemblyResponse,
  UpdateProductReleaseResponse,
} from './products.dto';
import { toReleaseDto } from './products.mapper';
import { RELEASE_QUERY } from './products.query';
import { ProductsRepository } from './products.repository';
import { ReleaseEntity } from './release.entity';
import { assertRowExists } from '../../database/existing-rows';

const TEXT_FIELDS = ['name', 'version', 'description'] as const;

/** Releases of a product and the assemblies linked to each release. */
@Injectable()
export class ReleasesService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly repository: ProductsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assemblies: AssembliesService,
  ) {}

  async list(productId: number, options: QueryOptions): Promise<Payload<GetProductReleasesResponse>> {
    const { items, total, nextCursor } = await listPage(RELEASE_QUERY, options, {
      read: async () => {
        await assertRowExists(this.repository.manager, ProductEntity, productId, 'Product');
        return this.repository.findReleasePage(options, { productId });
      },
      toDtos: (releases) => releases.map(toReleaseDto),
    });
    return { releases: items, totalReleasesCount: total, nextCursor };
  }

  async insert(productId: number, input: ReleaseDto): Promise<Payload<InsertProductReleaseResponse>> {
    await assertRowExists(this.repository.manager, ProductEntity, productId, 'Product');
    const release = this.repository.newRelease({ productId, releaseDate: null });
    this.applyChanges(release, input);
    return { releaseId: (await this.repository.saveRelease(release)).id };
  }

  async update(productId: number, input: ReleaseDto): Promise<Payload<UpdateProductReleaseResponse>> {
    if (!input.id) throw ApiException.badRequest('release.id is required to update a release');
    const release = await this.findOrFail(productId, input.id);
    this.applyChanges(release, input);
    await this.repository.saveRelease(release);
    return { releaseId: release.id };
  }

  /** Its assembly links go with it (the assemblies stay); license templates built on it block the delete. */
  async delete(productId: number, releaseId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.repository.lockRelease(manager, { productId, releaseId })))
        throw this.releaseNotFound(productId, releaseId);
      await assertNotReferenced(
        manager,
        `release ${releaseId}`,
        releaseId,
        [{ table: 'license_templates', column: 'release_id', noun: 'license template' }],
        'remove them or move them to another release first',
      );
      await this.repository.deleteRelease(manager, releaseId);
      await this.audit.record(manager, { action: 'release.deleted', entityType: 'release', entityId: releaseId });
    });
  }

  async listAssemblies(
    productId: number,
    releaseId: number,
    options: QueryOptions,
  ): Promise<Payload<GetAssembliesResponse>> {
    await this.findOrFail(productId, releaseId);
    return this.assemblies.list(options, releaseId);
  }

  /**
   * With `assembly.id` of an existing assembly, links that assembly to the release (an assembly may
   * ship in several releases); without an id, creates the assembly and links it.
   */
  async insertAssembly(
    productId: number,
    releaseId: number,
    request: InsertProductReleaseAssemblyRequest,
  ): Promise<Payload<InsertProductReleaseAssemblyResponse>> {
    if (request.productId && request.productId !== productId) {
      throw ApiException.badRequest(
        `productId ${request.productId} in the body does not match ${productId} in the path`,
      );
    }
    if (request.releaseId && request.releaseId !== releaseId) {
      throw ApiException.badRequest(
        `releaseId ${request.releaseId} in the body does not match ${releaseId} in the path`,
      );
    }
    const assemblyId = await this.dataSource.transaction(async (manager) => {
      await this.findOrFail(productId, releaseId, manager);
      const input = request.assembly;
      let assemblyId: number;
      if (input.id) {
        if (!(await this.repository.assemblyExists(manager, input.id)))
          throw ApiException.badRequest(
            `assembly.id: assembly ${input.id} does not exist (leave id out to create one)`,
            ErrorCode.InvalidReference,
          );
        assemblyId = input.id;
      } else {
        assemblyId = await this.assemblies.insertIn(manager, input);
      }
      if (!(await this.repository.link(manager, { releaseId, assemblyId })))
        throw ApiException.conflict(
          `Assembly ${assemblyId} is already part of release ${releaseId}`,
          ErrorCode.Duplicate,
        );
      return assemblyId;
    });
    return { assemblyId };
  }

  /** Updates an assembly of the release; it changes in every release it ships in. */
  async updateAssembly(
    productId: number,
    releaseId: number,
    input: AssemblyDto,
  ): Promise<Payload<UpdateProductReleaseAssemblyResponse>> {
    if (!input.id) throw ApiException.badRequest('assembly.id is required to update an assembly');
    const assemblyId = input.id;
    await this.dataSource.transaction(async (manager) => {
      await this.findOrFail(productId, releaseId, manager);
      await this.assertLinked(manager, releaseId, assemblyId);
      await this.assemblies.updateIn(manager, assemblyId, input);
    });
    return { assemblyId };
  }

  /** Removes the assembly from the release; the assembly itself stays (see /v1/assemblies). */
  async deleteAssembly(productId: number, releaseId: number, assemblyId: number): Promise<void> {
    await this.findOrFail(productId, releaseId);
    if (!(await this.repository.unlink({ releaseId, assemblyId })))
      throw ApiException.notFound(`Assembly ${assemblyId} is not part of release ${releaseId}`);
  }

  private async assertLinked(manager: EntityManager, releaseId: number, assemblyId: number): Promise<void> {
    if (!(await this.repository.isLinked(manager, { releaseId, assemblyId })))
      throw ApiException.notFound(`Assembly ${assemblyId} is not part of release ${releaseId}`);
  }

  private applyChanges(release: ReleaseEntity, input: ReleaseDto): void {
    copyPresent(release, input, TEXT_FIELDS);
    copyPresent(release, input, ['releaseDate'], { convert: toDateOrNull });
  }

  /** A release is found only under its own product, so /products/1/releases/7 is 404 when 7 belongs to product 2. */
  private async findOrFail(productId: number, releaseId: number, manager?: EntityManager): Promise<ReleaseEntity> {
    const release = await this.repository.findRelease({ productId, releaseId }, manager);
    if (!release) throw this.releaseNotFound(productId, releaseId);
    return release;
  }

  private releaseNotFound(productId: number, releaseId: number): ApiException {
    return ApiException.notFound(`Release ${releaseId} of product ${productId} does not exist`);
  }
}
