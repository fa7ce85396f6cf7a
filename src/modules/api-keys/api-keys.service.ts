import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ALL_PERMISSIONS, Principal, PrincipalCache, hashApiKey } from '../../common/auth';
import { ApiException } from '../../common/errors';
import { DEFAULT_KEY_FORMATS, generateKey } from '../../common/key-format';
import { QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyDto, GetApiKeysResponse, InsertApiKeyResponse } from './api-keys.dto';
import { toApiKeyDto } from './api-keys.mapper';
import { API_KEY_QUERY } from './api-keys.query';

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly principals: PrincipalCache,
  ) {}

  async list(options: QueryOptions): Promise<GetApiKeysResponse> {
    const select = parseSelect(API_KEY_QUERY, options.select);
    const { items, total } = await findPage(this.keys.createQueryBuilder('apiKey'), 'apiKey', API_KEY_QUERY, options);
    return {
      apiKeys: items.map((key) => pickFields(toApiKeyDto(key), select)),
      totalApiKeysCount: total,
    } as GetApiKeysResponse;
  }

  /** The plain key is generated here and answered once; only its hash is stored. */
  async insert(input: ApiKeyDto, principal: Principal): Promise<InsertApiKeyResponse> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('apiKey.name is required');
    const ownerId = input.ownerId ?? principal.userId;
    await this.assertOwnerExists(ownerId);
    const expireDate = input.expireDate ? new Date(input.expireDate) : null;
    if (expireDate && expireDate.getTime() <= Date.now())
      throw ApiException.badRequest('apiKey.expireDate must be in the future');
    const plainKey = generateKey(DEFAULT_KEY_FORMATS.apiKey);
    const saved = await this.keys.save(
      this.keys.create({
        name,
        keyHash: hashApiKey(plainKey),
        keyHint: `${plainKey.slice(0, 8)}…${plainKey.slice(-4)}`,
        expireDate,
        ownerId,
        revoked: input.revoked ?? false,
        permissions: input.permissions ?? ALL_PERMISSIONS,
        description: input.description ?? null,
      }),
    );
    return {
      apiKeyId: saved.id,
      apiKey: plainKey,
      message: 'Store this key now: it is not shown again',
    } as InsertApiKeyResponse;
  }

  async update(input: ApiKeyDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('apiKey.id is required to update an API key');
    const key = await this.keys.findOneBy({ id: input.id });
    if (!key) throw ApiException.notFound(`API key ${input.id} does not exist`);
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('apiKey.name cannot be empty');
      key.name = input.name.trim();
    }
    if (input.ownerId !== undefined && input.ownerId !== null && input.ownerId !== key.ownerId) {
      await this.assertOwnerExists(input.ownerId);
      key.ownerId = input.ownerId;
    }
    if (input.expireDate !== undefined) key.expireDate = input.expireDate ? new Date(input.expireDate) : null;
    if (input.revoked !== undefined && input.revoked !== null) key.revoked = input.revoked;
    if (input.permissions !== undefined && input.permissions !== null) key.permissions = input.permissions;
    if (input.description !== undefined) key.description = input.description ?? null;
    await this.keys.save(key);
    // Every instance hears of it through NOTIFY; clearing here too means this instance's next request never races that.
    this.principals.clear();
  }

  async delete(id: number): Promise<void> {
    const result = await this.keys.delete({ id });
    this.principals.clear();
    if (!result.affected) throw ApiException.notFound(`API key ${id} does not exist`);
  }

  private async assertOwnerExists(ownerId: string): Promise<void> {
    // The user entity by the name the owner relation uses: this module does not import the users module.
    const exists =
      /^[0-9a-f-]{36}$/i.test(ownerId) && (await this.keys.manager.existsBy('UserEntity', { id: ownerId }));
    if (!exists) throw ApiException.badRequest(`apiKey.ownerId: user ${ownerId} does not exist`);
  }
}
