import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ResourceEntity } from './resource.entity';
import { RESOURCE_QUERY } from './resources.query';

/** The SQL of resources (files, email templates, signature keys). A method that takes `manager` runs in the caller's transaction. */
@Injectable()
export class ResourcesRepository {
  constructor(@InjectRepository(ResourceEntity) private readonly resources: Repository<ResourceEntity>) {}

  page(options: PageOptions): Promise<Page<ResourceEntity>> {
    return findPage(this.resources.createQueryBuilder('resource'), 'resource', RESOURCE_QUERY, options);
  }

  /** A new, unsaved resource. */
  create(values: Partial<ResourceEntity>): ResourceEntity {
    return this.resources.create(values);
  }

  findById(id: number): Promise<ResourceEntity | null> {
    return this.resources.findOneBy({ id });
  }

  /** The resource whose code equals `code` ignoring case. */
  async findIdByCode(code: string): Promise<number | undefined> {
    const holder = await this.resources
      .createQueryBuilder('resource')
      .select('resource.id')
      .where('lower(resource.code) = lower(:code)', { code })
      .getOne();
    return holder?.id;
  }

  save(resource: ResourceEntity): Promise<ResourceEntity> {
    return this.resources.save(resource);
  }

  /** Locks the resource (FOR UPDATE) for the rest of `manager`'s transaction; false when it does not exist. */
  async lock(manager: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT id FROM resources WHERE id = $1 FOR UPDATE', [id]);
    return rows.length > 0;
  }

  async delete(manager: EntityManager, id: number): Promise<void> {
    await manager.delete(ResourceEntity, { id });
  }

  /** What signing needs of a resource, the encrypted private key included (a column no other read selects). */
  findSigningKey(id: number): Promise<Pick<ResourceEntity, 'id' | 'type' | 'keyId' | 'privateKeyEncrypted'> | null> {
    return this.resources
      .createQueryBuilder('resource')
      .select(['resource.id', 'resource.type', 'resource.keyId'])
      .addSelect('resource.privateKeyEncrypted')
      .where('resource.id = :id', { id })
      .getOne();
  }

  /** How many signature keys are stored, and the encrypted private keys of the newest `sample` of them. */
  async sampleEncryptedKeys(sample: number): Promise<{ total: number; encrypted: string[] }> {
    const rows: Array<{ total: number; encrypted: string }> = await this.resources.query(
      `SELECT count(*) OVER ()::int AS total, private_key_encrypted AS encrypted FROM resources
        WHERE private_key_encrypted IS NOT NULL ORDER BY id DESC LIMIT $1`,
      [sample],
    );
    return { total: rows[0]?.total ?? 0, encrypted: rows.map((row) => row.encrypted) };
  }

  /** What verifying needs of a resource: its type, key id and public key. */
  findPublicKey(id: number): Promise<Pick<ResourceEntity, 'id' | 'type' | 'keyId' | 'data'> | null> {
    return this.resources.findOne({ where: { id }, select: { id: true, type: true, keyId: true, data: true } });
  }
}
