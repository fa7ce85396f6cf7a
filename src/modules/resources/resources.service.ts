import { AuditRecorder } from '../../common/audit';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashPassword } from '../../common/auth';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { Referrer, assertNotReferenced, isUniqueViolation } from '../../database/referencing-rows';
import { SettingsService } from '../settings/settings.service';
import { SigningAlgorithm } from '../signing';
import { ResourceEntity } from './resource.entity';
import { readResourceData } from './resource-data';
import { GetResourcesResponse, InsertResourceResponse, ResourceDto } from './resources.dto';
import { toResourceDto } from './resources.mapper';
import { RESOURCE_QUERY } from './resources.query';
import { ResourcesRepository } from './resources.repository';
import { KeyMaterial, SigningKeysService, signingAlgorithmOf } from './signing-keys.service';

const CODE_INDEX = 'resources_code_unique';

/** Records that sign with a key: those licenses must stay verifiable. */
const RESOURCE_REFERRERS: Referrer[] = [
  {
    table: 'products',
    column: 'signature_keys_id',
    noun: 'product signing with it',
    plural: 'products signing with it',
  },
  {
    table: 'license_templates',
    column: 'signature_keys_id',
    noun: 'license template signing with it',
    plural: 'license templates signing with it',
  },
  { table: 'licenses', column: 'signature_keys_id', noun: 'license signed with it', plural: 'licenses signed with it' },
];

const normalizePem = (pem: string | null | undefined) => (pem ?? '').replace(/\r\n/g, '\n').trim();
const hasText = (value: string | null | undefined): value is string =>
  typeof value === 'string' && value.trim().length > 0;

@Injectable()
export class ResourcesService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly resources: ResourcesRepository,
    private readonly signingKeys: SigningKeysService,
    private readonly settings: SettingsService,
    private readonly dataSource: DataSource,
  ) {}

  async list(options: QueryOptions): Promise<Payload<GetResourcesResponse>> {
    const { items, total, nextCursor } = await listPage(RESOURCE_QUERY, options, {
      read: () => this.resources.page(options),
      toDtos: (rows) => rows.map(toResourceDto),
    });
    return { resources: items, totalResourcesCount: total, nextCursor };
  }

  async insert(input: ResourceDto): Promise<Payload<InsertResourceResponse>> {
    if (!hasText(input.name)) throw ApiException.badRequest('resource.name is required');
    const resource = this.resources.create({
      name: input.name.trim(),
      type: input.type?.trim() || null,
      code: input.code?.trim() || null,
      description: input.description ?? null,
      source: input.source ?? null,
      meta: input.meta ?? null,
      passwordHash: hasText(input.password) ? await hashPassword(input.password) : null,
    });
    if (resource.code) await this.assertCodeFree(resource.code);

    const algorithm = signingAlgorithmOf(resource.type);
    if (algorithm) {
      this.assertPemFormat(input.dataFormat);
      const material = hasText(input.data)
        ? this.signingKeys.importPem(input.data, algorithm)
        : await this.signingKeys.generate(algorithm, this.requestedRsaModulusBits(algorithm, resource.meta));
      this.applyKeyMaterial(resource, material);
    } else {
      resource.dataFormat = input.dataFormat?.trim() || null;
      resource.data = await this.checkedData(input.data, resource.dataFormat);
    }
    const saved = await this.save(resource);
    return { resourceId: saved.id };
  }

  async update(input: ResourceDto): Promise<void> {
    if (input.id === undefined || input.id === null)
      throw ApiException.badRequest('resource.id is required to update a resource');
    const resource = await this.resources.findById(input.id);
    if (!resource) throw ApiException.notFound(`Resource ${input.id} does not exist`);

    if (input.name !== undefined) {
      if (!hasText(input.name)) throw ApiException.badRequest('resource.name cannot be blank');
      resource.name = input.name.trim();
    }
    if (input.code !== undefined) {
      const code = input.code?.trim() || null;
      if (code && code.toLowerCase() !== resource.code?.toLowerCase()) await this.assertCodeFree(code);
      resource.code = code;
    }
    copyPresent(resource, input, ['description', 'source', 'meta']);
    if (input.password === '') resource.passwordHash = null;
    else if (hasText(input.password)) resource.passwordHash = await hashPassword(input.password);

    const type = input.type !== undefined ? input.type?.trim() || null : resource.type;
    if (resource.keyId) await this.updateSigningKey(resource, type, input);
    else {
      if (signingAlgorithmOf(type)) {
        throw ApiException.badRequest(
          `Resource ${resource.id} is not a signature key and cannot become one; insert a new resource of type ${type} instead`,
        );
      }
      resource.type = type;
      if (input.dataFormat !== undefined) resource.dataFormat = input.dataFormat?.trim() || null;
      if (input.data !== undefined || input.dataFormat !== undefined) {
        resource.data = await this.checkedData(
          input.data !== undefined ? input.data : resource.data,
          resource.dataFormat,
        );
      }
    }
    await this.save(resource);
    this.signingKeys.invalidate(resource.id);
  }

  /** Signature keys referenced by products, templates or licenses stay: those licenses must remain verifiable. */
  async delete(resourceId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.resources.lock(manager, resourceId)))
        throw ApiException.notFound(`Resource ${resourceId} does not exist`);
      await assertNotReferenced(
        manager,
        `resource ${resourceId}`,
        resourceId,
        RESOURCE_REFERRERS,
        'point them at another key first',
      );
      await this.resources.delete(manager, resourceId);
      await this.audit.record(manager, { action: 'resource.deleted', entityType: 'resource', entityId: resourceId });
    });
    this.signingKeys.invalidate(resourceId);
  }

  /**
   * A signature key keeps being one. New private key PEM in `data` replaces the key (and may change
   * its algorithm); `data` equal to the current public key, as a client echoing a read sends it, changes nothing.
   */
  private async updateSigningKey(resource: ResourceEntity, type: string | null, input: ResourceDto): Promise<void> {
    const algorithm = signingAlgorithmOf(type);
    if (!algorithm) {
      throw ApiException.badRequest(
        `Resource ${resource.id} is a ${resource.type} signature key; its type cannot become ${type ?? 'empty'}. Insert a new resource instead`,
      );
    }
    this.assertPemFormat(input.dataFormat);
    if (hasText(input.data) && normalizePem(input.data) !== normalizePem(resource.data)) {
      this.applyKeyMaterial(resource, this.signingKeys.importPem(input.data, algorithm));
    } else if (algorithm !== resource.type) {
      throw ApiException.badRequest(
        `Changing resource ${resource.id} from ${resource.type} to ${algorithm} needs a new ${algorithm} private key (PEM) in resource.data`,
      );
    }
  }

  private applyKeyMaterial(resource: ResourceEntity, material: KeyMaterial): void {
    resource.type = material.key.algorithm;
    resource.data = material.key.publicKeyPem;
    resource.dataFormat = 'pem';
    resource.keyId = material.key.keyId;
    resource.privateKeyEncrypted = material.privateKeyEncrypted;
  }

  private assertPemFormat(dataFormat: string | null | undefined): void {
    if (hasText(dataFormat) && dataFormat.trim().toLowerCase() !== 'pem') {
      throw ApiException.badRequest(
        `resource.dataFormat of a signature key is pem, not "${dataFormat}"; omit it or send "pem"`,
      );
    }
  }

  /** `{"keySize": 3072}` in meta asks for a larger generated RSA key; anything else in meta is left alone. */
  private requestedRsaModulusBits(algorithm: SigningAlgorithm, meta: string | null): number | undefined {
    if (algorithm !== 'RSA' || !meta) return undefined;
    try {
      const keySize = (JSON.parse(meta) as { keySize?: unknown })?.keySize;
      return typeof keySize === 'number' ? keySize : undefined;
    } catch {
      return undefined;
    }
  }

  private async checkedData(data: string | null | undefined, dataFormat: string | null): Promise<string | null> {
    const checked = readResourceData(data, dataFormat);
    const limit = await this.settings.get<number>('Application.MaxResourceDataBytes');
    if (checked.bytes > limit) {
      throw new ApiException(
        ErrorCode.PayloadTooLarge,
        `resource.data is ${checked.bytes} bytes; the limit is ${limit} bytes (setting Application.MaxResourceDataBytes)`,
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    }
    return checked.data;
  }

  private async assertCodeFree(code: string): Promise<void> {
    const holderId = await this.resources.findIdByCode(code);
    if (holderId !== undefined) throw this.duplicateCode(code, holderId);
  }

  private async save(resource: ResourceEntity): Promise<ResourceEntity> {
    try {
      return await this.resources.save(resource);
    } catch (error) {
      if (isUniqueViolation(error, CODE_INDEX)) throw this.duplicateCode(resource.code!);
      throw error;
    }
  }

  private duplicateCode(code: string, holderId?: number): ApiException {
    const holder = holderId ? ` by resource ${holderId}` : '';
    return ApiException.conflict(
      `resource.code "${code}" is already used${holder}; choose another`,
      ErrorCode.Duplicate,
    );
  }
}
