import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ProductEntity } from '../products/product.entity';
import { LicenseTemplateEntity } from './license-template.entity';
import { LICENSE_TEMPLATE_QUERY } from './license-templates.query';

/** The SQL of license templates. A method that takes `manager` runs in the caller's transaction. */
@Injectable()
export class LicenseTemplatesRepository {
  constructor(
    @InjectRepository(LicenseTemplateEntity) private readonly templates: Repository<LicenseTemplateEntity>,
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
  ) {}

  /** A page of templates, of one product release when `scope` is given. */
  page(options: PageOptions, scope?: { productId: number; releaseId: number }): Promise<Page<LicenseTemplateEntity>> {
    const qb = this.templates.createQueryBuilder('template');
    if (scope) qb.where('template.productId = :productId AND template.releaseId = :releaseId', scope);
    return findPage(qb, 'template', LICENSE_TEMPLATE_QUERY, options);
  }

  findById(id: number): Promise<LicenseTemplateEntity | null> {
    return this.templates.findOneBy({ id });
  }

  findByIds(ids: number[]): Promise<LicenseTemplateEntity[]> {
    return this.templates.findBy({ id: In(ids) });
  }

  /** The products templates name, for an `include`. */
  findProducts(ids: number[]): Promise<ProductEntity[]> {
    return this.products.findBy({ id: In(ids) });
  }

  /** A new, unsaved template. */
  create(values: Partial<LicenseTemplateEntity>): LicenseTemplateEntity {
    return this.templates.create(values);
  }

  save(template: LicenseTemplateEntity): Promise<LicenseTemplateEntity> {
    return this.templates.save(template);
  }

  /** Locks the template (FOR UPDATE) for the rest of `manager`'s transaction; false when it does not exist. */
  async lock(manager: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT id FROM license_templates WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  async countLicenses(manager: EntityManager, id: number): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await manager.query(
      `SELECT count(*)::int AS count FROM licenses WHERE template_id = $1`,
      [id],
    );
    return count;
  }

  async delete(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`DELETE FROM license_templates WHERE id = $1`, [id]);
  }
}
