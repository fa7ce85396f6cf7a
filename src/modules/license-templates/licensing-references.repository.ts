import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CustomerReference,
  NewLicenseReferenceIds,
  NewLicenseReferences,
  OrderReference,
  ProductReference,
} from './licensing-references';
import { queryPrepared } from './prepared-query';

/**
 * Everything a new license points at, in one statement: license generation is a hot path, and every
 * round trip to the database costs more than the rest of the lookup.
 */
export const NEW_LICENSE_REFERENCES_SQL = `
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

/**
 * The few columns templates and licenses take from the records they point at. Plain SQL on purpose:
 * license generation runs these on its hot path, the combined lookup as a named prepared statement.
 */
@Injectable()
export class LicensingReferencesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async product(id: number): Promise<ProductReference | undefined> {
    const [row]: ProductReference[] = await this.dataSource.query(
      `SELECT id, name, description, url, copyright, signature_keys_id AS "signatureKeysId" FROM products WHERE id = $1`,
      [id],
    );
    return row;
  }

  async template(id: number): Promise<{ id: number } | undefined> {
    const [row]: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM license_templates WHERE id = $1`, [
      id,
    ]);
    return row;
  }

  async release(id: number): Promise<{ id: number; productId: number } | undefined> {
    const [row]: Array<{ id: number; productId: number }> = await this.dataSource.query(
      `SELECT id, product_id AS "productId" FROM product_releases WHERE id = $1`,
      [id],
    );
    return row;
  }

  async customer(id: number): Promise<CustomerReference | undefined> {
    const [row]: CustomerReference[] = await this.dataSource.query(
      `SELECT id, first_name AS "firstName", last_name AS "lastName", company, email FROM customers WHERE id = $1`,
      [id],
    );
    return row;
  }

  async order(id: number): Promise<OrderReference | undefined> {
    const [row]: OrderReference[] = await this.dataSource.query(
      `SELECT id, customer_id AS "customerId" FROM orders WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** Each of the records a new license names (null where it names none or the record does not exist). */
  async forNewLicense(ids: NewLicenseReferenceIds): Promise<NewLicenseReferences> {
    const [row] = await queryPrepared<NewLicenseReferences>(
      this.dataSource,
      'licensing_new_license_references',
      NEW_LICENSE_REFERENCES_SQL,
      [ids.templateId, ids.orderId, ids.customerId, ids.productId, ids.signatureKeysId],
    );
    return row;
  }
}
