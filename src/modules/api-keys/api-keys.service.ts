import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { ALL_PERMISSIONS, Principal, PrincipalCache, hashApiKey } from '../../common/auth';
import { copyPresent, toDateOrNull } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException } from '../../common/errors';
import { DEFAULT_KEY_FORMATS, generateKey } from '../../common/key-format';
import { QueryOptions, listPage } from '../../common/query';
import { isUuid } from '../../common/uuid';
import { ApiKeyDto, GetApiKeysResponse, InsertApiKeyResponse } from './api-keys.dto';
import { toApiKeyDto } from './api-keys.mapper';
import { API_KEY_QUERY } from './api-keys.query';
import { ApiKeysRepository } from './api-keys.repository';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly keys: ApiKeysRepository,
    private readonly principals: PrincipalCache,
  ) {}

  async list(options: QueryOptions): Promise<Payload<GetApiKeysResponse>> {
    const { items, total, nextCursor } = await listPage(API_KEY_QUERY, options, {
      read: () => this.keys.findPage(options),
      toDtos: (keys) => keys.map(toApiKeyDto),
    });
    return { apiKeys: items, totalApiKeysCount: total, nextCursor };
  }

  /** The plain key is generated here and answered once; only its hash is stored. */
  async insert(input: ApiKeyDto, principal: Pick<Principal, 'userId'>): Promise<Payload<InsertApiKeyResponse>> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('apiKey.name is required');
    const ownerId = input.ownerId ?? principal.userId;
    await this.assertOwnerExists(ownerId);
    const expireDate = input.expireDate ? new Date(input.expireDate) : null;
    if (expireDate && expireDate.getTime() <= Date.now())
      throw ApiException.badRequest('apiKey.expireDate must be in the future');
    const plainKey = generateKey(DEFAULT_KEY_FORMATS.apiKey);
    const saved = await this.keys.insert({
      name,
      keyHash: hashApiKey(plainKey),
      keyHint: `${plainKey.slice(0, 8)}…${plainKey.slice(-4)}`,
      expireDate,
      ownerId,
      revoked: input.revoked ?? false,
      permissions: input.permissions ?? ALL_PERMISSIONS,
      description: input.description ?? null,
    });
    return {
      apiKeyId: saved.id,
      apiKey: plainKey,
      message: 'Store this key now: it is not shown again',
    };
  }

  async update(input: ApiKeyDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('apiKey.id is required to update an API key');
    const key = await this.keys.findById(input.id);
    if (!key) throw ApiException.notFound(`API key ${input.id} does not exist`);
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('apiKey.name cannot be empty');
      key.name = input.name.trim();
    }
    if (input.ownerId !== undefined && input.ownerId !== null && input.ownerId !== key.ownerId) {
      await this.assertOwnerExists(input.ownerId);
      key.ownerId = input.ownerId;
    }
    copyPresent(key, input, ['expireDate'], { convert: toDateOrNull });
    copyPresent(key, input, ['revoked', 'permissions'], { nullKeeps: true });
    copyPresent(key, input, ['description']);
    await this.keys.save(key);
    // Every instance hears of it through NOTIFY; clearing here too means this instance's next request never races that.
    this.principals.clear();
  }

  async delete(id: number): Promise<void> {
    const record = { action: 'apiKey.deleted', entityType: 'apiKey', entityId: id };
    const deleted = await this.audit.recordIf(record, (manager) => this.keys.delete(id, manager));
    this.principals.clear();
    if (!deleted) throw ApiException.notFound(`API key ${id} does not exist`);
  }

  private async assertOwnerExists(ownerId: string): Promise<void> {
    const exists = isUuid(ownerId) && (await this.keys.ownerExists(ownerId));
    if (!exists) throw ApiException.badRequest(`apiKey.ownerId: user ${ownerId} does not exist`);
  }
}
