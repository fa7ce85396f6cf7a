import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Attachment } from 'nodemailer/lib/mailer';
import { ApiException, ErrorCode } from '../../common/errors';
import { SettingsService } from '../settings/settings.service';
import { TemplateVariables, renderHtml, renderText } from './email-template';
import { assertWithinLimit, messageBytes } from './email.service';
import { SmtpMailer } from './smtp-mailer.service';

/** One row of the read-only query below: the license with what its email can mention. */
interface LicenseRow {
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

interface EmailResourceRow {
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

const LICENSING_MODES = ['File', 'Activation', 'Floating'];
const FORMATS = ['XML', 'XML DSig', 'ASCII', 'Base32'];
const FILE_MODE = 0;
const EMAIL_PATTERN = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const DEFAULT_SUBJECT = 'Your {ProductName} license {LicenseId}';

function isoDay(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, 10) : null;
}

function fullName(...parts: Array<string | null>): string {
  return parts
    .filter((part) => part?.trim())
    .join(' ')
    .trim();
}

/** `meta` of an email template: a JSON object whose values are strings (booleans tolerated). */
function parseMeta(resource: EmailResourceRow): Record<string, unknown> {
  if (!resource.meta?.trim()) return {};
  try {
    const meta: unknown = JSON.parse(resource.meta);
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) return meta as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw ApiException.badRequest(
    `Resource ${resource.id} meta is not a JSON object such as {"enable_send":"true","email_subject":"…","email_cc":"","email_bcc":""}`,
    ErrorCode.InvalidReference,
  );
}

/** "a@x.com, b@y.com; c@z.com" → addresses, each checked. */
function addressList(resourceId: number, field: string, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string')
    throw ApiException.badRequest(
      `Resource ${resourceId} meta.${field} must be a comma-separated list of email addresses`,
      ErrorCode.InvalidReference,
    );
  const addresses = value
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter(Boolean);
  const invalid = addresses.find((address) => !EMAIL_PATTERN.test(address));
  if (invalid)
    throw ApiException.badRequest(
      `Resource ${resourceId} meta.${field} holds "${invalid}", which is not an email address`,
      ErrorCode.InvalidReference,
    );
  return addresses;
}

/** The `{Placeholder}` variables a license email template can use (documented in the README). */
export function licenseVariables(
  license: LicenseRow,
  extra: { applicationName: string; senderName: string; now: Date },
): TemplateVariables {
  const customerName =
    fullName(license.customer_first_name, license.customer_last_name) || license.customer_company || '';
  return {
    Id: license.id,
    LicenseId: license.license_id,
    UserKey: license.user_key,
    LicenseKey: license.license_key,
    LicenseType: license.license_type,
    LicensingMode: LICENSING_MODES[license.licensing_mode] ?? String(license.licensing_mode),
    Format: FORMATS[license.format] ?? String(license.format),
    Description: license.description,
    LicenseeName: license.licensee_name,
    LicenseeCompany: license.licensee_company,
    LicenseeEmail: license.licensee_email,
    IssueDate: isoDay(license.issue_date),
    ExpireDate: isoDay(license.expire_date) ?? 'Never',
    SupportExpireDate: isoDay(license.support_expire_date) ?? 'Never',
    CreatedAt: isoDay(license.created_at),
    MaxAllowedSites: license.max_allowed_sites,
    ProductName: license.product_name,
    ProductVersion: license.product_version,
    ProductCode: license.product_code,
    TemplateName: license.template_name,
    LicenseFileName: license.license_file_name,
    CustomerName: customerName,
    CustomerTitle: license.customer_title,
    CustomerFirstName: license.customer_first_name,
    CustomerLastName: license.customer_last_name,
    CustomerCompany: license.customer_company,
    CustomerEmail: license.customer_email,
    CustomerCode: license.customer_code,
    OrderNumber: license.order_number,
    PurchaseOrder: license.purchase_order,
    InvoiceNumber: license.invoice_number,
    OrderDate: isoDay(license.order_date),
    ApplicationName: extra.applicationName,
    SenderName: extra.senderName,
    Date: isoDay(extra.now),
  };
}

@Injectable()
export class LicenseEmailService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: SmtpMailer,
    private readonly settings: SettingsService,
  ) {}

  /**
   * Renders the email template resource for the license and sends it to the licensee, else the
   * customer, else the customer's contacts marked notify; File-mode licenses get the license file.
   */
  async send(licenseId: number, resourceId: number): Promise<string> {
    const [license] = (await this.dataSource.query(LICENSE_QUERY, [licenseId])) as LicenseRow[];
    if (!license) throw ApiException.notFound(`License ${licenseId} does not exist`);
    const [resource] = (await this.dataSource.query(
      'SELECT id, name, type, data, data_format, meta FROM resources WHERE id = $1',
      [resourceId],
    )) as EmailResourceRow[];
    if (!resource) throw ApiException.notFound(`Resource ${resourceId} does not exist`);
    if (resource.type?.toLowerCase() !== 'email') {
      throw ApiException.badRequest(
        `Resource ${resourceId} is not an email template: its type is "${resource.type ?? ''}", expected "email"`,
        ErrorCode.InvalidReference,
      );
    }
    if (!resource.data?.trim())
      throw ApiException.badRequest(`Resource ${resourceId} has no template in data`, ErrorCode.InvalidReference);
    const meta = parseMeta(resource);
    if (
      String(meta.enable_send ?? 'true')
        .trim()
        .toLowerCase() === 'false'
    ) {
      throw ApiException.conflict(
        `Sending is switched off for email template resource ${resourceId} (meta.enable_send is "false")`,
      );
    }
    const cc = addressList(resourceId, 'email_cc', meta.email_cc);
    const bcc = addressList(resourceId, 'email_bcc', meta.email_bcc);

    const smtp = await this.mailer.smtpSettings();
    this.mailer.assertEnabled(smtp);
    const to = await this.recipients(license);
    const variables = licenseVariables(license, {
      applicationName: await this.settings.get<string>('Application.ProductName'),
      senderName: smtp.fromName,
      now: new Date(),
    });
    const subjectTemplate =
      typeof meta.email_subject === 'string' && meta.email_subject.trim() ? meta.email_subject : DEFAULT_SUBJECT;
    const subject = renderText(subjectTemplate, variables);
    const html = renderHtml(resource.data, variables);
    const attachments: Attachment[] = [];
    if (license.licensing_mode === FILE_MODE) {
      attachments.push({
        filename: license.license_file_name?.trim() || `${license.license_id}.lic`,
        content: Buffer.from(license.license_key, 'utf8'),
        contentType: license.format <= 1 ? 'application/xml' : 'text/plain',
      });
    }
    assertWithinLimit(
      messageBytes({
        subject,
        body: html,
        attachments: attachments.map((attachment) => ({ content: attachment.content as Buffer })),
      }),
      smtp,
    );
    await this.mailer.send({ to, cc, bcc, subject, html, attachments }, smtp, {
      LicenseId: license.license_id,
      ResourceId: resourceId,
    });
    const names = to.map((recipient) => recipient.address).join(', ');
    return `The license email was sent to ${names}${cc.length ? `, cc ${cc.join(', ')}` : ''}${bcc.length ? ` and ${bcc.length} bcc` : ''}`;
  }

  private async recipients(license: LicenseRow): Promise<Array<{ name: string; address: string }>> {
    if (license.licensee_email?.trim())
      return [{ name: license.licensee_name?.trim() ?? '', address: license.licensee_email.trim() }];
    if (license.customer_email?.trim()) {
      const name = fullName(license.customer_first_name, license.customer_last_name) || license.customer_company || '';
      return [{ name, address: license.customer_email.trim() }];
    }
    if (license.customer_id !== null) {
      const contacts: Array<{ first_name: string | null; last_name: string | null; email: string }> =
        await this.dataSource.query(
          `SELECT first_name, last_name, email FROM contacts WHERE customer_id = $1 AND notify AND COALESCE(trim(email), '') <> '' ORDER BY id`,
          [license.customer_id],
        );
      if (contacts.length)
        return contacts.map((contact) => ({
          name: fullName(contact.first_name, contact.last_name),
          address: contact.email.trim(),
        }));
    }
    throw ApiException.conflict(
      `License ${license.license_id} has nobody to send to: it has no licensee email, its customer no email and no contact marked notify`,
    );
  }
}
