import type { CustomerDto } from '../customers/customers.dto';
import {
  assembliesToDto,
  assemblyForDocument,
  featuresToDto,
  isoUtc,
  productToDto,
  restrictionsToDto,
} from '../license-templates/license-parts';
import type { LicenseProductPart } from '../license-templates/license-parts';
import type { LicenseTemplateDto } from '../license-templates/license-templates.dto';
import type { OrderDto } from '../orders/orders.dto';
import { LicenseDocument } from '../signing';
import { LicenseEntity } from './license.entity';
import { LicenseDto } from './licenses.dto';

/** Pages read with isoTimestamps carry the ISO string already; entities carry Dates. */
const iso = (date: Date | string | null | undefined) =>
  date ? (typeof date === 'string' ? date : date.toISOString()) : null;

export interface LicenseRelated {
  customer?: CustomerDto | null;
  order?: OrderDto | null;
  template?: LicenseTemplateDto | null;
  /** The product row's data, filling in what the license's own product leaves out (include Product). */
  product?: LicenseProductPart | null;
}

export function toLicenseDto(license: LicenseEntity, related: LicenseRelated = {}): LicenseDto {
  const product = related.product ? { ...related.product, ...(license.product ?? {}) } : license.product;
  const dto: LicenseDto = {
    id: license.id,
    licenseId: license.licenseId,
    licenseType: license.licenseType,
    format: license.format,
    description: license.description,
    createdAt: iso(license.createdAt),
    updatedAt: iso(license.updatedAt),
    issueDate: iso(license.issueDate),
    expireDate: iso(license.expireDate),
    supportExpireDate: iso(license.supportExpireDate),
    revoked: license.revoked,
    trace: license.trace,
    licenseKey: license.licenseKey,
    maxAllowedSites: license.maxAllowedSites,
    userKey: license.userKey,
    licensingMode: license.licensingMode,
    licenseeName: license.licenseeName,
    licenseeCompany: license.licenseeCompany,
    licenseeEmail: license.licenseeEmail,
    hash: license.hash,
    meta: license.meta,
    templateId: license.templateId,
    signatureKeysId: license.signatureKeysId,
    customerId: license.customerId,
    orderId: license.orderId,
    product: productToDto(product),
    licensee: {
      name: license.licenseeName,
      company: license.licenseeCompany,
      contactInfo: license.licensee?.contactInfo ?? null,
      url: license.licensee?.url ?? null,
    },
    components: license.components,
    assemblies: assembliesToDto(license.assemblies),
    fields: license.fields,
    features: featuresToDto(license.features),
    restrictions: restrictionsToDto(license.restrictions),
  };
  if (related.customer !== undefined) dto.customer = related.customer;
  if (related.order !== undefined) dto.order = related.order;
  if (related.template !== undefined) dto.template = related.template;
  return dto;
}

function withoutEmpty<T extends object>(record: T): T | undefined {
  const entries = Object.entries(record).filter(([, value]) => value !== null && value !== undefined && value !== '');
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/**
 * What the license key carries: everything a client application needs to enforce the license, and
 * nothing that is only server bookkeeping (ids of rows, order, meta). Empty members are left out.
 */
export function licenseDocumentOf(
  license: Pick<
    LicenseEntity,
    | 'licenseId'
    | 'userKey'
    | 'licenseType'
    | 'licensingMode'
    | 'issueDate'
    | 'expireDate'
    | 'supportExpireDate'
    | 'maxAllowedSites'
    | 'licenseeName'
    | 'licenseeCompany'
    | 'licenseeEmail'
    | 'licensee'
    | 'product'
    | 'components'
    | 'assemblies'
    | 'fields'
    | 'features'
    | 'restrictions'
  >,
): LicenseDocument {
  return {
    licenseId: license.licenseId,
    userKey: license.userKey,
    licenseType: license.licenseType ?? undefined,
    licensingMode: license.licensingMode,
    issueDate: license.issueDate ? isoUtc(license.issueDate) : undefined,
    expireDate: license.expireDate ? isoUtc(license.expireDate) : undefined,
    supportExpireDate: license.supportExpireDate ? isoUtc(license.supportExpireDate) : undefined,
    maxAllowedSites: license.maxAllowedSites ?? undefined,
    licensee: withoutEmpty({
      name: license.licenseeName ?? undefined,
      company: license.licenseeCompany ?? undefined,
      email: license.licenseeEmail ?? undefined,
      contactInfo: license.licensee?.contactInfo,
      url: license.licensee?.url,
    }),
    product: license.product ? withoutEmpty(license.product) : undefined,
    components: nonEmpty(license.components),
    assemblies: nonEmpty(license.assemblies.map(assemblyForDocument)),
    fields: nonEmpty(license.fields),
    features: nonEmpty(license.features),
    restrictions: nonEmpty(license.restrictions),
  };
}
