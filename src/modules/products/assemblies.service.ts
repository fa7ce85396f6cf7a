import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { AssemblyEntity } from './assembly.entity';
import { AssemblyDto, GetAssembliesResponse, InsertAssemblyResponse } from './products.dto';
import { toAssemblyDto } from './products.mapper';
import { ASSEMBLY_QUERY } from './products.query';
import { ProductsRepository } from './products.repository';

const TEXT_FIELDS = ['version', 'culture', 'publicKeyToken', 'debugSymbolsKey'] as const;

/**
 * Assemblies on their own (/v1/assemblies). The release endpoints reuse `insertIn` and `updateIn`
 * so an assembly is validated the same way whichever path it comes through.
 */
@Injectable()
export class AssembliesService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly repository: ProductsRepository,
  ) {}

  /** All assemblies, or those that ship in `releaseId` (the caller has checked the release). */
  async list(options: QueryOptions, releaseId?: number): Promise<Payload<GetAssembliesResponse>> {
    const { items, total, nextCursor } = await listPage(ASSEMBLY_QUERY, options, {
      read: () => this.repository.findAssemblyPage(options, { releaseId }),
      toDtos: (assemblies) => assemblies.map(toAssemblyDto),
    });
    return { assemblies: items, totalAssembliesCount: total, nextCursor };
  }

  async insert(input: AssemblyDto): Promise<Payload<InsertAssemblyResponse>> {
    return { assemblyId: await this.insertIn(this.repository.manager, input) };
  }

  async update(input: AssemblyDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('assembly.id is required to update an assembly');
    await this.updateIn(this.repository.manager, input.id, input);
  }

  /** Its links to releases go with it; the releases stay. */
  async delete(assemblyId: number): Promise<void> {
    const record = { action: 'assembly.deleted', entityType: 'assembly', entityId: assemblyId };
    if (!(await this.audit.recordIf(record, (manager) => this.repository.deleteAssembly(assemblyId, manager))))
      throw ApiException.notFound(`Assembly ${assemblyId} does not exist`);
  }

  /** Creates the assembly with `manager` (a release's transaction, or the default one) and answers its id. */
  async insertIn(manager: EntityManager, input: AssemblyDto): Promise<number> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('assembly.name is required');
    const assembly = this.repository.newAssembly({ name, mappingFileId: null });
    for (const field of TEXT_FIELDS) assembly[field] = input[field] ?? null;
    assembly.mappingFileId = await this.checkedMappingFileId(input.mappingFileId, manager);
    return (await this.repository.saveAssembly(assembly, manager)).id;
  }

  /** Members left out of the request keep their value; null clears them. 404 for an unknown assembly. */
  async updateIn(manager: EntityManager, assemblyId: number, input: AssemblyDto): Promise<void> {
    const assembly = await this.repository.findAssembly(assemblyId, manager);
    if (!assembly) throw ApiException.notFound(`Assembly ${assemblyId} does not exist`);
    await this.applyChanges(assembly, input, manager);
    await this.repository.saveAssembly(assembly, manager);
  }

  private async applyChanges(assembly: AssemblyEntity, input: AssemblyDto, manager: EntityManager): Promise<void> {
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('assembly.name cannot be empty');
      assembly.name = input.name.trim();
    }
    copyPresent(assembly, input, TEXT_FIELDS);
    if (input.mappingFileId !== undefined)
      assembly.mappingFileId = await this.checkedMappingFileId(input.mappingFileId, manager);
  }

  /** 0 and null mean "no mapping file", as clients with non-nullable ints send 0 for an unset id. */
  private async checkedMappingFileId(id: number | null | undefined, manager: EntityManager): Promise<number | null> {
    if (!id) return null;
    if (!(await this.repository.resourceExists(manager, id)))
      throw ApiException.badRequest(
        `assembly.mappingFileId: resource ${id} does not exist`,
        ErrorCode.InvalidReference,
      );
    return id;
  }
}
