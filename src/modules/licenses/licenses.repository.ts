import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, EntityManager } from 'typeorm';
import { auditParameters, diffChanges } from '../../common/audit';
import { Page, PageOptions, findPage } from '../../common/query';
import { assertRowExists } from '../../database/existing-rows';
import { CustomerEntity } from '../customers/customer.entity';
import { LicenseTemplateEntity } from '../license-templates/license-template.entity';
import { OrderEntity } from '../orders/order.entity';
import { ProductEntity } from '../products/product.entity';
import { LicenseInsertBatcher, LicenseRowParameters } from './license-insert-batcher';
import { LicenseEntity } from './license.entity';
import { LICENSE_QUERY } from './licenses.query';

/** Which licenses a list shows: all, or those of one customer, order or template. */
/** `originalsOnly` leaves out the node-locked copies activations make (a token points at each). */
export type LicenseScope =
  { customerId: number; originalsOnly?: boolean } | { orderId: number } | { templateId: number };

/** Every stored column of a new license. */
export type NewLicenseRow = Omit<
  LicenseEntity,
  'id' | 'createdAt' | 'updatedAt' | 'customer' | 'order' | 'template' | 'productRecord'
>;

/** What license.created records of a new license: what identifies it and what it allows, never its keys. */
const CREATED_FIELDS = [
  'licenseId',
  'licenseType',
  'licensingMode',
  'description',
  'issueDate',
  'expireDate',
  'supportExpireDate',
  'revoked',
  'maxAllowedSites',
  'licenseeName',
  'licenseeCompany',
  'licenseeEmail',
  'templateId',
  'customerId',
  'orderId',
  'productId',
] as const;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** A new license as the parameters of the batched INSERT, with its license.created audit event. */
export function licenseRowParameters(row: NewLicenseRow): LicenseRowParameters {
  const [action, entityType, , ...context] = auditParameters({
    action: 'license.created',
    entityType: 'license',
    entityId: null,
    changes: diffChanges(CREATED_FIELDS, undefined, row),
  });
  return {
    licenseId: row.licenseId,
    userKey: row.userKey,
    audit: [action, entityType, ...context],
    // In LICENSE_COLUMNS order.
    values: [
      row.licenseId,
      row.licenseType,
      row.format,
      row.description,
      row.issueDate,
      row.expireDate,
      row.supportExpireDate,
      row.revoked,
      row.trace,
      row.licenseKey,
      row.maxAllowedSites,
      row.userKey,
      row.licensingMode,
      row.licenseeName,
      row.licenseeCompany,
      row.licenseeEmail,
      row.hash,
      row.meta,
      row.generateKeyInfo,
      row.templateId,
      row.signatureKeysId,
      row.signingKeyId,
      row.customerId,
      row.orderId,
      row.productId,
      json(row.product),
      json(row.licensee),
      json(row.components),
      json(row.assemblies),
      json(row.fields),
      json(row.features),
      json(row.restrictions),
    ],
  };
}

/** The SQL of licenses, and the lookups of the records a license list includes. */
@Injectable()
export class LicensesRepository {
  private readonly batcher: LicenseInsertBatcher;

  constructor(
    @InjectRepository(LicenseEntity) private readonly licenses: Repository<LicenseEntity>,
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
  ) {
    this.batcher = new LicenseInsertBatcher(licenses.manager.connection);
  }

  /**
   * A page of licenses read raw (timestamps as ISO text), of one customer, order or template when
   * `scope` is given (404 when that record does not exist).
   */
  async page(options: PageOptions, scope?: LicenseScope): Promise<Page<LicenseEntity>> {
    const qb = this.licenses.createQueryBuilder('license');
    if (scope && 'customerId' in scope) {
      await assertRowExists(this.licenses.manager, CustomerEntity, scope.customerId, 'Customer');
      qb.where('license.customerId = :customerId', { customerId: scope.customerId });
      if (scope.originalsOnly)
        qb.andWhere('NOT EXISTS (SELECT 1 FROM license_tokens t WHERE t.node_locked_license_id = license.id)');
    } else if (scope && 'orderId' in scope) {
      await assertRowExists(this.licenses.manager, OrderEntity, scope.orderId, 'Order');
      qb.where('license.orderId = :orderId', scope);
    } else if (scope) {
      await assertRowExists(this.licenses.manager, LicenseTemplateEntity, scope.templateId, 'License template');
      qb.where('license.templateId = :templateId', scope);
    }
    return findPage(qb, 'license', LICENSE_QUERY, options, { raw: true, isoTimestamps: true });
  }

  findById(id: number): Promise<LicenseEntity | null> {
    return this.licenses.findOneBy({ id });
  }

  async save(license: LicenseEntity): Promise<void> {
    await this.licenses.save(license);
  }

  /** Whether a license went (its tokens and traces go with it: ON DELETE CASCADE). */
  async delete(id: number, manager: EntityManager = this.licenses.manager): Promise<boolean> {
    const result = await manager.delete(LicenseEntity, { id });
    return Boolean(result.affected);
  }

  existsWithLicenseId(licenseId: string): Promise<boolean> {
    return this.licenses.existsBy({ licenseId });
  }

  existsWithUserKey(userKey: string): Promise<boolean> {
    return this.licenses.existsBy({ userKey });
  }

  /**
   * Inserts a license through the batcher, which shares one commit among licenses generated at the
   * same time; its row id, or undefined when its license id or user key is taken.
   */
  insertUnlessTaken(row: NewLicenseRow): Promise<number | undefined> {
    return this.batcher.insert(licenseRowParameters(row));
  }

  findCustomers(ids: number[]): Promise<CustomerEntity[]> {
    return this.customers.findBy({ id: In(ids) });
  }

  findOrders(ids: number[]): Promise<OrderEntity[]> {
    return this.orders.findBy({ id: In(ids) });
  }

  findProducts(ids: number[]): Promise<ProductEntity[]> {
    return this.products.findBy({ id: In(ids) });
  }
}
