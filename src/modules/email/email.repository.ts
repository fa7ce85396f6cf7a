import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One row of the read-only query below: the license with what its email can mention. */
export interface LicenseEmailRow {
  id: number;
  license_id: string;
  license_type: string | null;
  format: number;
  description: string | null;
  issue_date: Date | null;
  expire_date: Date | null;
  support_expire_date: Date | null;
  license_key: string;
  max_allowed_sites: number | null;
  user_key: string;
  licensing_mode: number;
  licensee_name: string | null;
  licensee_company: string | null;
  licensee_email: string | null;
  created_at: Date;
  product_name: string | null;
  product_version: string | null;
  product_code: string | null;
  template_name: string | null;
  license_file_name: string | null;
  customer_id: number | null;
  customer_title: string | null;
  customer_first_name: string | null;
  customer_last_name: string | null;
  customer_company: string | null;
  customer_email: string | null;
  customer_code: string | null;
  order_number: string | null;
  purchase_order: string | null;
  invoice_number: string | null;
  order_date: Date | null;
}

export interface EmailTemplateRow {
  id: number;
  name: string;
  type: string | null;
  data: string | null;
  data_format: string | null;
  meta: string | null;
}

/**
 * Read-only: licenses, templates, products, customers and orders belong to other modules, so this
 * reads the columns it needs in one query instead of going through their services. A license's own
 * product snapshot wins over the product and the template's product.
 */
const LICENSE_QUERY = `
  SELECT l.id, l.license_id, l.license_type, l.format, l.description, l.issue_date, l.expire_date, l.support_expire_date,
         l.license_key, l.max_allowed_sites, l.user_key, l.licensing_mode, l.licensee_name, l.licensee_company,
         l.licensee_email, l.created_at,
         COALESCE(NULLIF(l.product->>'name', ''), p.name, NULLIF(t.product->>'name', '')) AS product_name,
         COALESCE(NULLIF(l.product->>'version', ''), NULLIF(t.product->>'version', '')) AS product_version,
         p.code AS product_code,
         t.name AS template_name, t.license_file_name,
         c.id AS customer_id, c.title AS customer_title, c.first_name AS customer_first_name, c.last_name AS customer_last_name,
         c.company AS customer_company, c.email AS customer_email, c.code AS customer_code,
         o.order_number, o.purchase_order, o.invoice_number, o.created_at AS order_date
    FROM licenses l
    LEFT JOIN products p ON p.id = l.product_id
    LEFT JOIN license_templates t ON t.id = l.template_id
    LEFT JOIN orders o ON o.id = l.order_id
    LEFT JOIN customers c ON c.id = COALESCE(l.customer_id, o.customer_id)
   WHERE l.id = $1`;

/** A contact of the customer who asked for license notifications, with an address. */
export interface NotifiedContactRow {
  first_name: string | null;
  last_name: string | null;
  email: string;
}

/** The read-only queries of the license email: what a license's message says and who receives it. */
@Injectable()
export class EmailRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findLicense(licenseId: number): Promise<LicenseEmailRow | undefined> {
    const [license] = await this.dataSource.query<LicenseEmailRow[]>(LICENSE_QUERY, [licenseId]);
    return license;
  }

  /** The resource, whatever its type: the caller says what a resource that is no email template means. */
  async findTemplate(resourceId: number): Promise<EmailTemplateRow | undefined> {
    const [resource] = await this.dataSource.query<EmailTemplateRow[]>(
      'SELECT id, name, type, data, data_format, meta FROM resources WHERE id = $1',
      [resourceId],
    );
    return resource;
  }

  /** In id order. */
  findNotifiedContacts(customerId: number): Promise<NotifiedContactRow[]> {
    return this.dataSource.query(
      `SELECT first_name, last_name, email FROM contacts WHERE customer_id = $1 AND notify AND COALESCE(trim(email), '') <> '' ORDER BY id`,
      [customerId],
    );
  }
}
