import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth';
import { copyPresent, toDateOrNull } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { licensesGenerated } from '../../common/observability';
import { generateKey } from '../../common/key-format';
import { QueryOptions, listPage } from '../../common/query';
import { toCustomerDto } from '../customers/customers.mapper';
import {
  EMPTY_PARTS,
  LicenseParts,
  LicenseProductPart,
  mergeParts,
  normalizeParts,
  normalizeProduct,
  productPartOf,
} from '../license-templates/license-parts';
import { LicenseTemplatesService, templateParts } from '../license-templates/license-templates.service';
import {
  CustomerReference,
  LicensingReferences,
  NewLicenseReferences,
} from '../license-templates/licensing-references';
import { toOrderDto } from '../orders/orders.mapper';
import { SigningKeysService } from '../resources/signing-keys.service';
import { SettingsService } from '../settings/settings.service';
import { LicenseFormat, LicensingMode, SigningKey, signLicense } from '../signing';
import { LicenseEntity } from './license.entity';
import { GetLicensesResponse, InsertLicenseResponse, LicenseDto, UpdateLicenseResponse } from './licenses.dto';
import { LicenseRelated, licenseDocumentOf, toLicenseDto } from './licenses.mapper';
import { LICENSE_QUERY } from './licenses.query';
import { LicenseScope, LicensesRepository } from './licenses.repository';

export type { LicenseScope } from './licenses.repository';

/** Generated ids and user keys are random; a collision is retried with new ones this many times. */
const MAX_GENERATION_ATTEMPTS = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
const DIGITS_ONLY = /^\d{1,10}$/;

type LicenseValues = Omit<
  LicenseEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'licenseKey'
  | 'hash'
  | 'signingKeyId'
  | 'customer'
  | 'order'
  | 'template'
  | 'productRecord'
>;

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function dateOrNull(value: string | null | undefined): Date | null {
  return value ? new Date(value) : null;
}

function trimmedOrNull(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

/** A product id that names a product of this server: digits only. */
function productRowId(product: LicenseProductPart | null): number | null {
  return product?.id && DIGITS_ONLY.test(product.id) ? Number(product.id) : null;
}

function customerName(customer: CustomerReference): string | null {
  return trimmedOrNull([customer.firstName, customer.lastName].filter(Boolean).join(' ')) ?? customer.company;
}

@Injectable()
export class LicensesService {
  private readonly signingKeysInUse = new Map<number, SigningKey>();

  constructor(
    private readonly audit: AuditRecorder,
    private readonly licenses: LicensesRepository,
    private readonly templates: LicenseTemplatesService,
    private readonly references: LicensingReferences,
    private readonly signingKeys: SigningKeysService,
    private readonly settings: SettingsService,
  ) {}

  async list(options: QueryOptions, principal: Principal, scope?: LicenseScope): Promise<Payload<GetLicensesResponse>> {
    const { items, total, nextCursor } = await listPage(LICENSE_QUERY, options, {
      read: () => this.licenses.page(options, scope),
      toDtos: async (rows, include) => {
        const related = await this.loadIncluded(rows, include);
        return rows.map((license) => toLicenseDto(license, related(license)));
      },
      reader: principal,
    });
    return { licenses: items, totalLicensesCount: total, nextCursor };
  }

  /**
   * Makes a license from its template (if any) and the request, signs it with the signature key
   * of the license, else the template, else the product, and stores it.
   */
  async insert(input: LicenseDto): Promise<Payload<InsertLicenseResponse>> {
    const ownProduct = normalizeProduct(input.product);
    const references = await this.references.forNewLicense({
      templateId: input.templateId ?? null,
      orderId: input.orderId ?? null,
      customerId: input.customerId ?? null,
      productId: productRowId(ownProduct),
      signatureKeysId: input.signatureKeysId ?? null,
    });
    const { template } = references;
    const values = await this.compose(input, references);
    const signatureKeysId = input.signatureKeysId ?? template?.signatureKeysId ?? values.productSignatureKeysId;
    if (!signatureKeysId) {
      throw ApiException.badRequest(
        'license.signatureKeysId: the license has no signature key; set signatureKeysId on the license, its template or its product',
        ErrorCode.InvalidReference,
      );
    }
    const key = await this.signingKey(signatureKeysId, references.signatureKey);
    const givenLicenseId = trimmedOrNull(input.licenseId);
    const givenUserKey = trimmedOrNull(input.userKey);
    const licenseIdFormat = givenLicenseId ? null : await this.settings.get<string>('Licensing.LicenseIdFormat');
    const userKeyFormat = givenUserKey
      ? null
      : (template?.userKey ?? (await this.settings.get<string>('Licensing.UserKeyFormat')));

    for (let attempt = 0; attempt < MAX_GENERATION_ATTEMPTS; attempt++) {
      const license: LicenseValues = {
        ...values.license,
        licenseId: givenLicenseId ?? generateKey(licenseIdFormat!),
        userKey: givenUserKey ?? generateKey(userKeyFormat!),
        signatureKeysId,
      };
      const signed = this.sign(license, key);
      const id = await this.licenses.insertUnlessTaken({ ...license, ...signed });
      if (id !== undefined) {
        licensesGenerated.inc({ algorithm: key.algorithm });
        return {
          licenseId: id,
          licenseKeyId: license.licenseId,
          userKey: license.userKey,
          licenseKey: signed.licenseKey,
        };
      }
      await this.assertGivenKeysFree(givenLicenseId, givenUserKey);
    }
    throw new Error(
      `Could not generate a free license id and user key in ${MAX_GENERATION_ATTEMPTS} attempts; the key formats are too small for the number of licenses`,
    );
  }

  /** Changes the members given (undefined = unchanged, null = cleared); signs the license anew when its signed content changes. */
  async update(input: LicenseDto): Promise<Payload<UpdateLicenseResponse>> {
    if (!input.id) throw ApiException.badRequest('license.id is required to update a license');
    const license = await this.licenses.findById(input.id);
    if (!license) throw ApiException.notFound(`License ${input.id} does not exist`);
    const before = JSON.stringify(licenseDocumentOf(license));
    const signedWith = { format: license.format, signatureKeysId: license.signatureKeysId };

    if (input.licenseId !== undefined) {
      const licenseId = trimmedOrNull(input.licenseId);
      if (!licenseId) throw ApiException.badRequest('license.licenseId cannot be empty');
      if (licenseId !== license.licenseId) await this.assertGivenKeysFree(licenseId, null);
      license.licenseId = licenseId;
    }
    if (input.userKey !== undefined) {
      const userKey = trimmedOrNull(input.userKey);
      if (!userKey) throw ApiException.badRequest('license.userKey cannot be empty');
      if (userKey !== license.userKey) await this.assertGivenKeysFree(null, userKey);
      license.userKey = userKey;
    }
    if (input.templateId !== undefined) {
      license.templateId = input.templateId
        ? (await this.references.template(input.templateId, 'license.templateId')).id
        : null;
    }
    if (input.customerId !== undefined || input.orderId !== undefined) {
      const customerId = input.customerId !== undefined ? input.customerId : license.customerId;
      const orderId = input.orderId !== undefined ? input.orderId : license.orderId;
      const { customer, order } = await this.commerceReferences(customerId ?? null, orderId ?? null);
      license.customerId = customer?.id ?? null;
      license.orderId = order?.id ?? null;
    }
    if (input.signatureKeysId) license.signatureKeysId = input.signatureKeysId;
    copyPresent(license, input, [
      'licenseType',
      'description',
      'meta',
      'licenseeName',
      'licenseeCompany',
      'licenseeEmail',
      'maxAllowedSites',
    ]);
    if (input.licensee !== undefined) {
      if (input.licenseeName === undefined && input.licensee?.name !== undefined)
        license.licenseeName = input.licensee.name ?? null;
      if (input.licenseeCompany === undefined && input.licensee?.company !== undefined)
        license.licenseeCompany = input.licensee.company ?? null;
      license.licensee = this.licenseeExtra(input.licensee);
    }
    copyPresent(license, input, ['issueDate', 'expireDate', 'supportExpireDate'], { convert: toDateOrNull });
    copyPresent(license, input, ['revoked', 'trace', 'format', 'licensingMode'], { nullKeeps: true });
    this.checkSites(license.licensingMode, license.maxAllowedSites);

    const given = normalizeParts(input, 'license');
    for (const member of ['components', 'assemblies', 'fields', 'features', 'restrictions'] as const) {
      if (input[member] !== undefined) (license as unknown as Record<string, unknown>)[member] = given[member];
    }
    if (input.product !== undefined) {
      license.product = given.product;
      const productId = productRowId(given.product);
      if (productId !== null) license.productId = (await this.references.product(productId, 'license.product.id')).id;
    }

    const contentChanged = JSON.stringify(licenseDocumentOf(license)) !== before;
    if (
      contentChanged ||
      license.format !== signedWith.format ||
      license.signatureKeysId !== signedWith.signatureKeysId
    ) {
      const key = await this.signingKeys.loadSigningKey(license.signatureKeysId, 'license.signatureKeysId');
      Object.assign(license, this.sign(license, key));
    } else if (input.signatureKeysId) {
      await this.references.signatureKey(input.signatureKeysId, 'license.signatureKeysId');
    }
    await this.licenses.save(license);
    return {
      licenseKeyId: license.licenseId,
      userKey: license.userKey,
      licenseKey: license.licenseKey,
    };
  }

  /** Its tokens and traces go with it (ON DELETE CASCADE). */
  async delete(id: number): Promise<void> {
    const record = { action: 'license.deleted', entityType: 'license', entityId: id };
    if (!(await this.audit.recordIf(record, (manager) => this.licenses.delete(id, manager))))
      throw ApiException.notFound(`License ${id} does not exist`);
  }

  /**
   * The key to sign with. The lookup that found the license's references also read the key's current
   * key id, so a key kept here from an earlier license is used only while it is still the stored one;
   * otherwise (new, replaced or unknown key) SigningKeysService loads and checks it. This saves a round
   * trip per license without ever signing with a key that is no longer the resource's.
   */
  private async signingKey(
    signatureKeysId: number,
    current: NewLicenseReferences['signatureKey'],
  ): Promise<SigningKey> {
    const kept = this.signingKeysInUse.get(signatureKeysId);
    if (
      kept &&
      current?.id === signatureKeysId &&
      current.keyId === kept.keyId &&
      current.type?.trim().toLowerCase() === kept.algorithm.toLowerCase()
    )
      return kept;
    const key = await this.signingKeys.loadSigningKey(signatureKeysId, 'license.signatureKeysId');
    this.signingKeysInUse.set(signatureKeysId, key);
    return key;
  }

  private sign(license: LicenseValues, key: SigningKey): { licenseKey: string; hash: string; signingKeyId: string } {
    const signed = signLicense(licenseDocumentOf(license), license.format, key, {
      includePublicKey: license.generateKeyInfo,
    });
    return { licenseKey: signed.licenseKey, hash: signed.hash, signingKeyId: signed.keyId };
  }

  /**
   * Every column of a new license but its id, user key and signature, from the template and the
   * request (the request wins), plus the signature key of its product for the fallback.
   */
  private async compose(
    input: LicenseDto,
    references: NewLicenseReferences,
  ): Promise<{
    license: Omit<LicenseValues, 'licenseId' | 'userKey' | 'signatureKeysId'>;
    productSignatureKeysId: number | null;
  }> {
    const { template, customer, order } = references;
    const parts: LicenseParts = mergeParts(
      template ? templateParts(template) : EMPTY_PARTS,
      normalizeParts(input, 'license'),
    );
    // A template whose own product member names a product row, and no product otherwise: the one case the combined lookup could not know.
    const inheritedProductId = references.product ? null : productRowId(parts.product);
    const product =
      inheritedProductId !== null
        ? await this.references.product(inheritedProductId, 'license.product.id')
        : references.product;
    if (product) parts.product = { ...productPartOf(product), ...(parts.product ?? {}) };

    const licensingMode = input.licensingMode ?? template?.licensingMode ?? LicensingMode.File;
    const maxAllowedSites =
      input.maxAllowedSites !== undefined && input.maxAllowedSites !== null
        ? input.maxAllowedSites
        : licensingMode === LicensingMode.File
          ? null
          : 1;
    this.checkSites(licensingMode, maxAllowedSites);
    const issueDate = input.issueDate
      ? new Date(input.issueDate)
      : template?.issueDate === false
        ? null
        : wholeSeconds(new Date());
    const from = (issueDate ?? wholeSeconds(new Date())).getTime();
    const afterDays = (days: number | null | undefined) => (days ? new Date(from + days * DAY_MS) : null);
    const expireDate = input.expireDate !== undefined ? dateOrNull(input.expireDate) : afterDays(template?.expireDays);
    const supportExpireDate =
      input.supportExpireDate !== undefined ? dateOrNull(input.supportExpireDate) : afterDays(template?.supportDays);

    return {
      productSignatureKeysId: product?.signatureKeysId ?? null,
      license: {
        licenseType: input.licenseType !== undefined ? input.licenseType : (template?.licenseType ?? null),
        format: input.format ?? template?.format ?? LicenseFormat.Xml,
        description: input.description ?? null,
        issueDate,
        expireDate,
        supportExpireDate,
        revoked: input.revoked ?? false,
        trace: input.trace ?? false,
        maxAllowedSites,
        licensingMode,
        licenseeName:
          trimmedOrNull(input.licenseeName ?? input.licensee?.name) ?? (customer ? customerName(customer) : null),
        licenseeCompany: trimmedOrNull(input.licenseeCompany ?? input.licensee?.company) ?? customer?.company ?? null,
        licenseeEmail: trimmedOrNull(input.licenseeEmail) ?? customer?.email ?? null,
        meta: input.meta ?? null,
        generateKeyInfo: template?.generateKeyInfo ?? false,
        templateId: template?.id ?? null,
        customerId: customer?.id ?? null,
        orderId: order?.id ?? null,
        productId: product?.id ?? null,
        licensee: this.licenseeExtra(input.licensee),
        ...parts,
      },
    };
  }

  private licenseeExtra(licensee: LicenseDto['licensee']): LicenseEntity['licensee'] {
    const contactInfo = trimmedOrNull(licensee?.contactInfo);
    const url = trimmedOrNull(licensee?.url);
    if (!contactInfo && !url) return null;
    return { ...(contactInfo ? { contactInfo } : {}), ...(url ? { url } : {}) };
  }

  private checkSites(mode: LicensingMode, maxAllowedSites: number | null): void {
    if (mode !== LicensingMode.File && (maxAllowedSites === null || maxAllowedSites < 1)) {
      throw ApiException.badRequest('license.maxAllowedSites must be at least 1 for activation and floating licenses');
    }
  }

  /** The order's customer is the license's customer unless the request names another, which is refused. */
  private async commerceReferences(
    customerId: number | null,
    orderId: number | null,
  ): Promise<{ customer: CustomerReference | null; order: { id: number; customerId: number } | null }> {
    const order = orderId ? await this.references.order(orderId, 'license.orderId') : null;
    if (order && customerId && order.customerId !== customerId) {
      throw ApiException.badRequest(
        `license.orderId: order ${order.id} belongs to customer ${order.customerId}, not to customer ${customerId}`,
        ErrorCode.InvalidReference,
      );
    }
    const effectiveCustomerId = customerId || order?.customerId || null;
    const customer = effectiveCustomerId
      ? await this.references.customer(effectiveCustomerId, customerId ? 'license.customerId' : 'license.orderId')
      : null;
    return { customer, order };
  }

  private async assertGivenKeysFree(licenseId: string | null, userKey: string | null): Promise<void> {
    if (licenseId && (await this.licenses.existsWithLicenseId(licenseId))) {
      throw ApiException.conflict(
        `license.licenseId: a license with id "${licenseId}" already exists`,
        ErrorCode.Duplicate,
      );
    }
    if (userKey && (await this.licenses.existsWithUserKey(userKey))) {
      throw ApiException.conflict('license.userKey: another license already has this user key', ErrorCode.Duplicate);
    }
  }

  /** Loads each included relation for the whole page in one query. */
  private async loadIncluded(
    items: LicenseEntity[],
    include: string[],
  ): Promise<(license: LicenseEntity) => LicenseRelated> {
    const ids = (pick: (license: LicenseEntity) => number | null) => [
      ...new Set(items.map(pick).filter((id): id is number => id !== null)),
    ];
    const wants = (name: string) => include.includes(name);
    const customers = wants('customer')
      ? await this.byId(
          ids((l) => l.customerId),
          (wanted) => this.licenses.findCustomers(wanted),
          toCustomerDto,
        )
      : undefined;
    const orders = wants('order')
      ? await this.byId(
          ids((l) => l.orderId),
          (wanted) => this.licenses.findOrders(wanted),
          (order) => toOrderDto(order),
        )
      : undefined;
    const templates = wants('template') ? await this.templates.findDtos(ids((l) => l.templateId)) : undefined;
    const products = wants('product')
      ? await this.byId(
          ids((l) => l.productId),
          (wanted) => this.licenses.findProducts(wanted),
          (product) => productPartOf(product),
        )
      : undefined;
    return (license) => {
      const related: LicenseRelated = {};
      if (customers) related.customer = license.customerId ? (customers.get(license.customerId) ?? null) : null;
      if (orders) related.order = license.orderId ? (orders.get(license.orderId) ?? null) : null;
      if (templates) related.template = license.templateId ? (templates.get(license.templateId) ?? null) : null;
      if (products) related.product = license.productId ? (products.get(license.productId) ?? null) : null;
      return related;
    };
  }

  private async byId<E extends { id: number }, D>(
    ids: number[],
    find: (ids: number[]) => Promise<E[]>,
    toDto: (row: E) => D,
  ): Promise<Map<number, D>> {
    if (ids.length === 0) return new Map();
    const rows = await find(ids);
    return new Map(rows.map((row) => [row.id, toDto(row)]));
  }
}
