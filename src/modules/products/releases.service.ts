import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { AssembliesService } from './assemblies.service';
import { assertNotReferenced } from '../../database/referencing-rows';
import { ProductEntity } from './product.entity';
import {
  AssemblyDto,
  GetAssembliesResponse,
  GetProductReleasesResponse,
  InsertProductReleaseAssemblyRequest,
  ReleaseDto,
} from './products.dto';
import { toReleaseDto } from './products.mapper';
import { RELEASE_QUERY } from './products.query';
import { ReleaseEntity } from './release.entity';
import { assertRowExists } from '../../database/existing-rows';

const TEXT_FIELDS = ['name', 'version', 'description'] as const;

/** Releases of a product and the assemblies linked to each release. */
@Injectable()
export class ReleasesService {
  constructor(
    @InjectRepository(ReleaseEntity) private readonly releases: Repository<ReleaseEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assemblies: AssembliesService,
  ) {}

  async list(productId: number, options: QueryOptions): Promise<GetProductReleasesResponse> {
    const select = parseSelect(RELEASE_QUERY, options.select);
    await assertRowExists(this.releases.manager, ProductEntity, productId, 'Product');
    const qb = this.releases.createQueryBuilder('release').where('release.productId = :productId', { productId });
    const { items, total } = await findPage(qb, 'release', RELEASE_QUERY, options);
    return {
      releases: items.map((release) => pickFields(toReleaseDto(release), select)),
      totalReleasesCount: total,
    } as GetProductReleasesResponse;
  }

  async insert(productId: number, input: ReleaseDto): Promise<number> {
    await assertRowExists(this.releases.manager, ProductEntity, productId, 'Product');
    const release = this.releases.create({ productId, releaseDate: null });
    this.applyChanges(release, input);
    return (await this.releases.save(release)).id;
  }

  async update(productId: number, input: ReleaseDto): Promise<number> {
    if (!input.id) throw ApiException.badRequest('release.id is required to update a release');
    const release = await this.findOrFail(productId, input.id);
    this.applyChanges(release, input);
    await this.releases.save(release);
    return release.id;
  }

  /** Its assembly links go with it (the assemblies stay); license templates built on it block the delete. */
  async delete(productId: number, releaseId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const locked = await manager.query(
        'SELECT id FROM product_releases WHERE id = $1 AND product_id = $2 FOR UPDATE',
        [releaseId, productId],
      );
      if (locked.length === 0) throw this.releaseNotFound(productId, releaseId);
      await assertNotReferenced(
        manager,
        `release ${releaseId}`,
        releaseId,
        [{ table: 'license_templates', column: 'release_id', noun: 'license template' }],
        'remove them or move them to another release first',
      );
      await manager.delete(ReleaseEntity, { id: releaseId });
    });
  }

  async listAssemblies(productId: number, releaseId: number, options: QueryOptions): Promise<GetAssembliesResponse> {
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
  ): Promise<number> {
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
    return this.dataSource.transaction(async (manager) => {
      await this.findOrFail(productId, releaseId, manager);
      const input = request.assembly;
      let assemblyId: number;
      if (input.id) {
        const exists = await manager.query('SELECT 1 FROM assemblies WHERE id = $1', [input.id]);
        if (exists.length === 0)
          throw ApiException.badRequest(
            `assembly.id: assembly ${input.id} does not exist (leave id out to create one)`,
            ErrorCode.InvalidReference,
          );
        assemblyId = input.id;
      } else {
        assemblyId = (await this.assemblies.create(input, manager)).id;
      }
      const linked = await manager.query(
        'INSERT INTO release_assemblies (release_id, assembly_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING assembly_id',
        [releaseId, assemblyId],
      );
      if (linked.length === 0)
        throw ApiException.conflict(
          `Assembly ${assemblyId} is already part of release ${releaseId}`,
          ErrorCode.Duplicate,
        );
      return assemblyId;
    });
  }

  /** Updates an assembly of the release; it changes in every release it ships in. */
  async updateAssembly(productId: number, releaseId: number, input: AssemblyDto): Promise<number> {
    if (!input.id) throw ApiException.badRequest('assembly.id is required to update an assembly');
    const assemblyId = input.id;
    await this.dataSource.transaction(async (manager) => {
      await this.findOrFail(productId, releaseId, manager);
      await this.assertLinked(manager, releaseId, assemblyId);
      const assembly = await this.assemblies.findOrFail(assemblyId, manager);
      await this.assemblies.applyChanges(assembly, input, manager);
      await manager.save(assembly);
    });
    return assemblyId;
  }

  /** Removes the assembly from the release; the assembly itself stays (see /v1/assemblies). */
  async deleteAssembly(productId: number, releaseId: number, assemblyId: number): Promise<void> {
    await this.findOrFail(productId, releaseId);
    const removed = await this.releases.manager
      .createQueryBuilder()
      .delete()
      .from('release_assemblies')
      .where('release_id = :releaseId AND assembly_id = :assemblyId', { releaseId, assemblyId })
      .execute();
    if (!removed.affected) throw ApiException.notFound(`Assembly ${assemblyId} is not part of release ${releaseId}`);
  }

  private async assertLinked(manager: EntityManager, releaseId: number, assemblyId: number): Promise<void> {
    const rows = await manager.query('SELECT 1 FROM release_assemblies WHERE release_id = $1 AND assembly_id = $2', [
      releaseId,
      assemblyId,
    ]);
    if (rows.length === 0) throw ApiException.notFound(`Assembly ${assemblyId} is not part of release ${releaseId}`);
  }

  private applyChanges(release: ReleaseEntity, input: ReleaseDto): void {
    for (const field of TEXT_FIELDS) if (input[field] !== undefined) release[field] = input[field] ?? null;
    if (input.releaseDate !== undefined) release.releaseDate = input.releaseDate ? new Date(input.releaseDate) : null;
  }

  /** A release is found only under its own product, so /products/1/releases/7 is 404 when 7 belongs to product 2. */
  private async findOrFail(
    productId: number,
    releaseId: number,
    manager: EntityManager = this.releases.manager,
  ): Promise<ReleaseEntity> {
    const release = await manager.findOneBy(ReleaseEntity, { id: releaseId, productId });
    if (!release) throw this.releaseNotFound(productId, releaseId);
    return release;
  }

  private releaseNotFound(productId: number, releaseId: number): ApiException {
    return ApiException.notFound(`Release ${releaseId} of product ${productId} does not exist`);
  }
}
