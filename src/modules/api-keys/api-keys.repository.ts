import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, EntityManager } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ApiKeyEntity } from './api-key.entity';
import { API_KEY_QUERY } from './api-keys.query';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  findPage(options: PageOptions): Promise<Page<ApiKeyEntity>> {
    return findPage(this.keys.createQueryBuilder('apiKey'), 'apiKey', API_KEY_QUERY, options);
  }

  findById(apiKeyId: number): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ id: apiKeyId });
  }

  insert(key: Omit<ApiKeyEntity, 'id' | 'createdDate' | 'owner'>): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create(key));
  }

  save(key: ApiKeyEntity): Promise<ApiKeyEntity> {
    return this.keys.save(key);
  }

  /** False when there was no such key. */
  async delete(apiKeyId: number, manager: EntityManager = this.keys.manager): Promise<boolean> {
    const result = await manager.delete(ApiKeyEntity, { id: apiKeyId });
    return Boolean(result.affected);
  }

  /** Whether the user exists; `userId` must be a UUID. The entity is named, not imported: users import this module. */
  ownerExists(userId: string): Promise<boolean> {
    return this.keys.manager.existsBy('UserEntity', { id: userId });
  }
}
