import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ResourceEntity } from '../resources/resource.entity';
import { AssemblyEntity } from './assembly.entity';
import { ProductEntity } from './product.entity';
import { ASSEMBLY_QUERY, PRODUCT_QUERY, RELEASE_QUERY } from './products.query';
import { ReleaseEntity } from './release.entity';

/** One assembly shipped in one release (release_assemblies). */
export interface ReleaseAssemblyLink {
  releaseId: number;
  assemblyId: number;
}

/** A signature key a product's licenses are (or will be) signed with, and what names it. */
export interface ProductSigningKeyRow {
  productId: number;
  productName: string;
  /** Null for a product that names no key anywhere. */
  resourceId: number | null;
  keyId: string | null;
  algorithm: string | null;
  /** Where the key is named: the product itself, its license templates, its licenses. */
  usedBy: Array<'product' | 'templates' | 'licenses'>;
}

/** The queries of the catalogue: products, their releases, and the assemblies that ship in releases. */
@Injectable()
export class ProductsRepository {
  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    @InjectRepository(ReleaseEntity) private readonly releases: Repository<ReleaseEntity>,
    @InjectRepository(AssemblyEntity) private readonly assemblies: Repository<AssemblyEntity>,
  ) {}

  /** The manager of the default connection, for the shared checks that take one (assertRowExists). */
  get manager(): EntityManager {
    return this.products.manager;
  }

  findPage(options: PageOptions): Promise<Page<ProductEntity>> {
    return findPage(this.products.createQueryBuilder('product'), 'product', PRODUCT_QUERY, options);
  }

  findById(productId: number): Promise<ProductEntity | null> {
    return this.products.findOneBy({ id: productId });
  }

  /** Whether a product has this code, without regard to case. */
  isCodeTaken(code: string): Promise<boolean> {
    return this.products
      .createQueryBuilder('product')
      .where('lower(product.code) = lower(:code)', { code })
      .getExists();
  }

  save(product: Partial<ProductEntity>): Promise<ProductEntity> {
    return this.products.save(product);
  }

  /** Takes the product's row lock until the transaction ends; false when there is no such product. */
  async lock(manager: EntityManager, productId: number): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [productId]);
    return rows.length > 0;
  }

  async delete(manager: EntityManager, productId: number): Promise<void> {
    await manager.delete(ProductEntity, { id: productId });
  }

  /** The type of resource `resourceId` (null when it has none), or undefined when there is no such resource. */
  async findResourceType(resourceId: number): Promise<string | null | undefined> {
    const rows: Array<{ type: string | null }> = await this.products.query('SELECT type FROM resources WHERE id = $1', [
      resourceId,
    ]);
    return rows.length === 0 ? undefined : rows[0].type;
  }

  resourceExists(manager: EntityManager, resourceId: number): Promise<boolean> {
    return manager.existsBy(ResourceEntity, { id: resourceId });
  }

  findResourcesByIds(resourceIds: number[]): Promise<ResourceEntity[]> {
    if (resourceIds.length === 0) return Promise.resolve([]);
    return this.products.manager.findBy(ResourceEntity, { id: In(resourceIds) });
  }

  /**
   * Every product (or one) with the signature keys its licenses may carry: the product's own key, its templates'
   * keys and the keys of licenses already issued (a key replaced since still verifies those). One row per
   * product and key, in product and resource order.
   */
  findSigningKeys(productId?: number): Promise<ProductSigningKeyRow[]> {
    return this.products.query(
      `SELECT p.id AS "productId", p.name AS "productName", k.resource_id AS "resourceId", r.key_id AS "keyId",
              r.type AS "algorithm", COALESCE(array_agg(k.used_by ORDER BY k.used_by) FILTER (WHERE k.used_by IS NOT NULL), '{}') AS "usedBy"
         FROM products p
         LEFT JOIN LATERAL (
           SELECT p.signature_keys_id AS resource_id, 'product' AS used_by WHERE p.signature_keys_id IS NOT NULL
           UNION SELECT t.signature_keys_id, 'templates' FROM license_templates t
                  WHERE t.product_id = p.id AND t.signature_keys_id IS NOT NULL
           UNION SELECT l.signature_keys_id, 'licenses' FROM licenses l
                  WHERE l.product_id = p.id AND l.signature_keys_id IS NOT NULL
         ) k ON true
         LEFT JOIN resources r ON r.id = k.resource_id
        WHERE $1::int IS NULL OR p.id = $1
        GROUP BY p.id, p.name, k.resource_id, r.key_id, r.type
        ORDER BY p.id, k.resource_id`,
      [productId ?? null],
    );
  }

  findReleasePage(options: PageOptions, scope: { productId: number }): Promise<Page<ReleaseEntity>> {
    const qb = this.releases
      .createQueryBuilder('release')
      .where('release.productId = :productId', { productId: scope.productId });
    return findPage(qb, 'release', RELEASE_QUERY, options);
  }

  /** A release only under its own product. */
  findRelease(
    { productId, releaseId }: { productId: number; releaseId: number },
    manager: EntityManager = this.releases.manager,
  ): Promise<ReleaseEntity | null> {
    return manager.findOneBy(ReleaseEntity, { id: releaseId, productId });
  }

  newRelease(values: Partial<ReleaseEntity>): ReleaseEntity {
    return this.releases.create(values);
  }

  saveRelease(release: ReleaseEntity): Promise<ReleaseEntity> {
    return this.releases.save(release);
  }

  /** Takes the release's row lock until the transaction ends; false when the product has no such release. */
  async lockRelease(
    manager: EntityManager,
    { productId, releaseId }: { productId: number; releaseId: number },
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT id FROM product_releases WHERE id = $1 AND product_id = $2 FOR UPDATE',
      [releaseId, productId],
    );
    return rows.length > 0;
  }

  /** Its assembly links go with it (ON DELETE CASCADE on release_assemblies). */
  async deleteRelease(manager: EntityManager, releaseId: number): Promise<void> {
    await manager.delete(ReleaseEntity, { id: releaseId });
  }

  /** All assemblies, or those that ship in `releaseId`. */
  findAssemblyPage(options: PageOptions, scope: { releaseId?: number } = {}): Promise<Page<AssemblyEntity>> {
    const qb = this.assemblies.createQueryBuilder('assembly');
    if (scope.releaseId !== undefined) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM release_assemblies link WHERE link.assembly_id = assembly.id AND link.release_id = :releaseId)',
        { releaseId: scope.releaseId },
      );
    }
    return findPage(qb, 'assembly', ASSEMBLY_QUERY, options);
  }

  findAssembly(assemblyId: number, manager: EntityManager = this.assemblies.manager): Promise<AssemblyEntity | null> {
    return manager.findOneBy(AssemblyEntity, { id: assemblyId });
  }

  assemblyExists(manager: EntityManager, assemblyId: number): Promise<boolean> {
    return manager.existsBy(AssemblyEntity, { id: assemblyId });
  }

  newAssembly(values: Partial<AssemblyEntity>): AssemblyEntity {
    return this.assemblies.create(values);
  }

  saveAssembly(assembly: AssemblyEntity, manager: EntityManager = this.assemblies.manager): Promise<AssemblyEntity> {
    return manager.save(assembly);
  }

  /** Its links to releases go with it. False when there was no such assembly. */
  async deleteAssembly(assemblyId: number, manager: EntityManager = this.assemblies.manager): Promise<boolean> {
    const result = await manager.delete(AssemblyEntity, { id: assemblyId });
    return Boolean(result.affected);
  }

  /** Links an assembly to a release; false when it was linked already. */
  async link(manager: EntityManager, { releaseId, assemblyId }: ReleaseAssemblyLink): Promise<boolean> {
    const linked: unknown[] = await manager.query(
      'INSERT INTO release_assemblies (release_id, assembly_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING assembly_id',
      [releaseId, assemblyId],
    );
    return linked.length > 0;
  }

  async isLinked(manager: EntityManager, { releaseId, assemblyId }: ReleaseAssemblyLink): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM release_assemblies WHERE release_id = $1 AND assembly_id = $2',
      [releaseId, assemblyId],
    );
    return rows.length > 0;
  }

  /** False when the assembly was not part of the release. */
  async unlink({ releaseId, assemblyId }: ReleaseAssemblyLink): Promise<boolean> {
    const removed = await this.releases.manager
      .createQueryBuilder()
      .delete()
      .from('release_assemblies')
      .where('release_id = :releaseId AND assembly_id = :assemblyId', { releaseId, assemblyId })
      .execute();
    return Boolean(removed.affected);
  }
}
