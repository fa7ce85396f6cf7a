import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { AssemblyEntity } from './assembly.entity';
import { AssemblyDto, GetAssembliesResponse, InsertAssemblyResponse } from './products.dto';
import { toAssemblyDto } from './products.mapper';
import { ASSEMBLY_QUERY } from './products.query';

const TEXT_FIELDS = ['version', 'culture', 'publicKeyToken', 'debugSymbolsKey'] as const;

/**
 * Assemblies on their own (/v1/assemblies). The release endpoints reuse `create` and `applyChanges`
 * so an assembly is validated the same way whichever path it comes through.
 */
@Injectable()
export class AssembliesService {
  constructor(@InjectRepository(AssemblyEntity) private readonly assemblies: Repository<AssemblyEntity>) {}

  async list(options: QueryOptions, releaseId?: number): Promise<GetAssembliesResponse> {
    const select = parseSelect(ASSEMBLY_QUERY, options.select);
    const qb = this.assemblies.createQueryBuilder('assembly');
    if (releaseId !== undefined) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM release_assemblies link WHERE link.assembly_id = assembly.id AND link.release_id = :releaseId)',
        { releaseId },
      );
    }
    const { items, total } = await findPage(qb, 'assembly', ASSEMBLY_QUERY, options);
    return {
      assemblies: items.map((assembly) => pickFields(toAssemblyDto(assembly), select)),
      totalAssembliesCount: total,
    } as GetAssembliesResponse;
  }

  async insert(input: AssemblyDto): Promise<InsertAssemblyResponse> {
    const saved = await this.create(input, this.assemblies.manager);
    return { assemblyId: saved.id } as InsertAssemblyResponse;
  }

  async update(input: AssemblyDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('assembly.id is required to update an assembly');
    const assembly = await this.findOrFail(input.id);
    await this.applyChanges(assembly, input, this.assemblies.manager);
    await this.assemblies.save(assembly);
  }

  /** Its links to releases go with it; the releases stay. */
  async delete(assemblyId: number): Promise<void> {
    const result = await this.assemblies.delete({ id: assemblyId });
    if (!result.affected) throw ApiException.notFound(`Assembly ${assemblyId} does not exist`);
  }

  async findOrFail(assemblyId: number, manager: EntityManager = this.assemblies.manager): Promise<AssemblyEntity> {
    const assembly = await manager.findOneBy(AssemblyEntity, { id: assemblyId });
    if (!assembly) throw ApiException.notFound(`Assembly ${assemblyId} does not exist`);
    return assembly;
  }

  async create(input: AssemblyDto, manager: EntityManager): Promise<AssemblyEntity> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('assembly.name is required');
    const assembly = manager.create(AssemblyEntity, { name, mappingFileId: null });
    for (const field of TEXT_FIELDS) assembly[field] = input[field] ?? null;
    assembly.mappingFileId = await this.checkedMappingFileId(input.mappingFileId, manager);
    return manager.save(assembly);
  }

  /** Members left out of the request keep their value; null clears them. */
  async applyChanges(assembly: AssemblyEntity, input: AssemblyDto, manager: EntityManager): Promise<void> {
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('assembly.name cannot be empty');
      assembly.name = input.name.trim();
    }
    for (const field of TEXT_FIELDS) if (input[field] !== undefined) assembly[field] = input[field] ?? null;
    if (input.mappingFileId !== undefined)
      assembly.mappingFileId = await this.checkedMappingFileId(input.mappingFileId, manager);
  }

  /** 0 and null mean "no mapping file", as clients with non-nullable ints send 0 for an unset id. */
  private async checkedMappingFileId(id: number | null | undefined, manager: EntityManager): Promise<number | null> {
    if (!id) return null;
    const rows = await manager.query('SELECT 1 FROM resources WHERE id = $1', [id]);
    if (rows.length === 0)
      throw ApiException.badRequest(
        `assembly.mappingFileId: resource ${id} does not exist`,
        ErrorCode.InvalidReference,
      );
    return id;
  }
}
