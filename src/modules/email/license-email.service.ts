import { Injectable } from '@nestjs/common';
import type { Attachment } from 'nodemailer/lib/mailer';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { SettingsService } from '../settings/settings.service';
import { SendLicenseEmailResponse } from './email.dto';
import { EmailRepository, EmailTemplateRow, LicenseEmailRow } from './email.repository';
import { TemplateVariables, renderHtml, renderText } from './email-template';
import { assertWithinLimit, messageBytes } from './email.service';
import { SmtpMailer } from './smtp-mailer.service';

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
function parseMeta(resource: EmailTemplateRow): Record<string, unknown> {
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
  license: LicenseEmailRow,
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
    private readonly repository: EmailRepository,
    private readonly mailer: SmtpMailer,
    private readonly settings: SettingsService,
  ) {}

  /**
   * Renders the email template resource for the license and sends it to the licensee, else the
   * customer, else the customer's contacts marked notify; File-mode licenses get the license file.
   */
  async send(licenseId: number, resourceId: number): Promise<Payload<SendLicenseEmailResponse>> {
    const license = await this.repository.findLicense(licenseId);
    if (!license) throw ApiException.notFound(`License ${licenseId} does not exist`);
    const resource = await this.repository.findTemplate(resourceId);
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
    return {
      message: `The license email was sent to ${names}${cc.length ? `, cc ${cc.join(', ')}` : ''}${bcc.length ? ` and ${bcc.length} bcc` : ''}`,
    };
  }

  private async recipients(license: LicenseEmailRow): Promise<Array<{ name: string; address: string }>> {
    if (license.licensee_email?.trim())
      return [{ name: license.licensee_name?.trim() ?? '', address: license.licensee_email.trim() }];
    if (license.customer_email?.trim()) {
      const name = fullName(license.customer_first_name, license.customer_last_name) || license.customer_company || '';
      return [{ name, address: license.customer_email.trim() }];
    }
    if (license.customer_id !== null) {
      const contacts = await this.repository.findNotifiedContacts(license.customer_id);
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
