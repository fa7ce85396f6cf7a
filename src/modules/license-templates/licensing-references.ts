import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { SigningKeysService } from '../resources/signing-keys.service';
import type { LicenseTemplateEntity } from './license-template.entity';
import { queryPrepared } from './prepared-query';

export interface ProductReference {
  id: number;
  name: string;
  description: string | null;
  url: string | null;
  copyright: string | null;
  signatureKeysId: number | null;
}

export interface CustomerReference {
  id: number;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  email: string | null;
}

export interface OrderReference {
  id: number;
  customerId: number;
}

/** What licenses take from their template. */
export type TemplateReference = Pick<
  LicenseTemplateEntity,
  | 'id'
  | 'format'
  | 'licensingMode'
  | 'licenseType'
  | 'issueDate'
  | 'expireDays'
  | 'supportDays'
  | 'generateKeyInfo'
  | 'userKey'
  | 'signatureKeysId'
  | 'productId'
  | 'product'
  | 'components'
  | 'assemblies'
  | 'fields'
  | 'features'
  | 'restrictions'
>;

export interface NewLicenseReferences {
  template: TemplateReference | null;
  order: OrderReference | null;
  /** The customer given, else the order's. */
  customer: CustomerReference | null;
  /** The product given, else the template's. */
  product: ProductReference | null;
  /** The signature key given, else the template's, else the product's: its current key id, to check a cached key against. */
  signatureKey: { id: number; type: string | null; keyId: string | null } | null;
}

/**
 * Everything a new license points at, in one statement: license generation is a hot path, and every
 * round trip to the database costs more than the rest of the lookup.
 */
const NEW_LICENSE_REFERENCES_SQL = `
  SELECT
    (SELECT json_build_object('id', t.id, 'format', t.format, 'licensingMode', t.licensing_mode, 'licenseType', t.license_type,
            'issueDate', t.issue_date, 'expireDays', t.expire_days, 'supportDays', t.support_days, 'generateKeyInfo', t.generate_key_info,
            'userKey', t.user_key, 'signatureKeysId', t.signature_keys_id, 'productId', t.product_id, 'product', t.product,
            'components', t.components, 'assemblies', t.assemblies, 'fields', t.fields, 'features', t.features, 'restrictions', t.restrictions)
       FROM license_templates t WHERE t.id = $1::int) AS template,
    (SELECT json_build_object('id', o.id, 'customerId', o.customer_id) FROM orders o WHERE o.id = $2::int) AS "order",
    (SELECT json_build_object('id', c.id, 'firstName', c.first_name, 'lastName', c.last_name, 'company', c.company, 'email', c.email)
       FROM customers c WHERE c.id = coalesce($3::int, (SELECT o.customer_id FROM orders o WHERE o.id = $2::int))) AS customer,
    (SELECT json_build_object('id', p.id, 'name', p.name, 'description', p.description, 'url', p.url, 'copyright', p.copyright, 'signatureKeysId', p.signature_keys_id)
       FROM products p WHERE p.id = coalesce($4::int, (SELECT t.product_id FROM license_templates t WHERE t.id = $1::int))) AS product,
    (SELECT json_build_object('id', r.id, 'type', r.type, 'keyId', r.key_id) FROM resources r WHERE r.id = coalesce(
       $5::int,
       (SELECT t.signature_keys_id FROM license_templates t WHERE t.id = $1::int),
       (SELECT p.signature_keys_id FROM products p WHERE p.id = coalesce($4::int, (SELECT t.product_id FROM license_templates t WHERE t.id = $1::int))))) AS "signatureKey"`;

function unknown(field: string, what: string, id: number): ApiException {
  return ApiException.badRequest(`${field}: ${what} ${id} does not exist`, ErrorCode.InvalidReference);
}

/**
 * Looks up the records templates and licenses point at, answering 400 InvalidReference naming the
 * request member when one does not exist. Plain SQL on purpose: only a few columns are needed, and
 * license generation runs these on its hot path.
 */
@Injectable()
export class LicensingReferences {
  private readonly lookupsInFlight = new Map<string, Promise<NewLicenseReferences>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly signingKeys: SigningKeysService,
  ) {}

  async product(
    id: number,
    field: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ProductReference> {
    const [row] = await manager.query(
      `SELECT id, name, description, url, copyright, signature_keys_id AS "signatureKeysId" FROM products WHERE id = $1`,
      [id],
    );
    if (!row) throw unknown(field, 'product', id);
    return row;
  }

  /** The release must exist and, when `productId` is given, belong to that product. */
  async release(
    productId: number | null,
    releaseId: number,
    field: string,
  ): Promise<{ id: number; productId: number }> {
    const [row] = await this.dataSource.query(
      `SELECT id, product_id AS "productId" FROM product_releases WHERE id = $1`,
      [releaseId],
    );
    if (!row) throw unknown(field, 'release', releaseId);
    if (productId !== null && row.productId !== productId) {
      throw ApiException.badRequest(
        `${field}: release ${releaseId} belongs to product ${row.productId}, not to product ${productId}`,
        ErrorCode.InvalidReference,
      );
    }
    return row;
  }

  async customer(
    id: number,
    field: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CustomerReference> {
    const [row] = await manager.query(
      `SELECT id, first_name AS "firstName", last_name AS "lastName", company, email FROM customers WHERE id = $1`,
      [id],
    );
    if (!row) throw unknown(field, 'customer', id);
    return row;
  }

  async order(id: number, field: string, manager: EntityManager = this.dataSource.manager): Promise<OrderReference> {
    const [row] = await manager.query(`SELECT id, customer_id AS "customerId" FROM orders WHERE id = $1`, [id]);
    if (!row) throw unknown(field, 'order', id);
    return row;
  }

  /**
   * The template, order, customer and product of a new license in one round trip. 400 naming the
   * member for an unknown one, or for an order of another customer than the one given.
   */
  async forNewLicense(ids: {
    templateId: number | null;
    orderId: number | null;
    customerId: number | null;
    productId: number | null;
    signatureKeysId: number | null;
  }): Promise<NewLicenseReferences> {
    const values = [ids.templateId, ids.orderId, ids.customerId, ids.productId, ids.signatureKeysId];
    // Licenses generated together from the same references (a bulk order, an import) share one lookup
    // while it runs; its answer is as current as if each had run it. Callers get their own copy.
    const key = values.join(',');
    let lookup = this.lookupsInFlight.get(key);
    if (!lookup) {
      lookup = queryPrepared<NewLicenseReferences>(
        this.dataSource,
        'licensing_new_license_references',
        NEW_LICENSE_REFERENCES_SQL,
        values,
      ).then((rows) => rows[0]);
      this.lookupsInFlight.set(key, lookup);
      void lookup.then(
        () => this.lookupsInFlight.delete(key),
        () => this.lookupsInFlight.delete(key),
      );
    }
    const row: NewLicenseReferences = structuredClone(await lookup);
    if (ids.templateId && !row.template) throw unknown('license.templateId', 'license template', ids.templateId);
    if (ids.orderId && !row.order) throw unknown('license.orderId', 'order', ids.orderId);
    if (row.order && ids.customerId && row.order.customerId !== ids.customerId) {
      throw ApiException.badRequest(
        `license.orderId: order ${row.order.id} belongs to customer ${row.order.customerId}, not to customer ${ids.customerId}`,
        ErrorCode.InvalidReference,
      );
    }
    if (ids.customerId && !row.customer) throw unknown('license.customerId', 'customer', ids.customerId);
    if (ids.productId && !row.product) throw unknown('license.product.id', 'product', ids.productId);
    return row;
  }

  /** 400 InvalidReference unless `id` is a signature-key resource. */
  async signatureKey(id: number, field: string): Promise<void> {
    await this.signingKeys.describePublicKey(id, field);
  }
}
