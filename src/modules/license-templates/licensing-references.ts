import { Injectable } from '@nestjs/common';
import { ApiException, ErrorCode } from '../../common/errors';
import { SigningKeysService } from '../resources/signing-keys.service';
import type { LicenseTemplateEntity } from './license-template.entity';
import { LicensingReferencesRepository } from './licensing-references.repository';

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

/** The records a new license names (null: none named). */
export interface NewLicenseReferenceIds {
  templateId: number | null;
  orderId: number | null;
  customerId: number | null;
  productId: number | null;
  signatureKeysId: number | null;
}

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

/** `value` and everything it holds, frozen: an answer shared by concurrent callers that none of them may change. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function unknown(field: string, what: string, id: number): ApiException {
  return ApiException.badRequest(`${field}: ${what} ${id} does not exist`, ErrorCode.InvalidReference);
}

/**
 * Looks up the records templates and licenses point at, answering 400 InvalidReference naming the
 * request member when one does not exist.
 */
@Injectable()
export class LicensingReferences {
  private readonly lookupsInFlight = new Map<string, Promise<NewLicenseReferences>>();

  constructor(
    private readonly repository: LicensingReferencesRepository,
    private readonly signingKeys: SigningKeysService,
  ) {}

  async product(id: number, field: string): Promise<ProductReference> {
    const row = await this.repository.product(id);
    if (!row) throw unknown(field, 'product', id);
    return row;
  }

  /** The release must exist and, when `productId` is given, belong to that product. */
  async release(
    productId: number | null,
    releaseId: number,
    field: string,
  ): Promise<{ id: number; productId: number }> {
    const row = await this.repository.release(releaseId);
    if (!row) throw unknown(field, 'release', releaseId);
    if (productId !== null && row.productId !== productId) {
      throw ApiException.badRequest(
        `${field}: release ${releaseId} belongs to product ${row.productId}, not to product ${productId}`,
        ErrorCode.InvalidReference,
      );
    }
    return row;
  }

  async customer(id: number, field: string): Promise<CustomerReference> {
    const row = await this.repository.customer(id);
    if (!row) throw unknown(field, 'customer', id);
    return row;
  }

  async order(id: number, field: string): Promise<OrderReference> {
    const row = await this.repository.order(id);
    if (!row) throw unknown(field, 'order', id);
    return row;
  }

  /**
   * The template, order, customer and product of a new license in one round trip. 400 naming the
   * member for an unknown one, or for an order of another customer than the one given.
   */
  async forNewLicense(ids: NewLicenseReferenceIds): Promise<NewLicenseReferences> {
    // Licenses generated together from the same references (a bulk order, an import) share one lookup
    // while it runs; its answer is as current as if each had run it. They share its answer too, frozen
    // once rather than copied for each (a copy per license was 2.6 % of Ed25519 generation's CPU).
    const key = [ids.templateId, ids.orderId, ids.customerId, ids.productId, ids.signatureKeysId].join(',');
    let lookup = this.lookupsInFlight.get(key);
    if (!lookup) {
      lookup = this.repository.forNewLicense(ids).then(deepFreeze);
      this.lookupsInFlight.set(key, lookup);
      void lookup.then(
        () => this.lookupsInFlight.delete(key),
        () => this.lookupsInFlight.delete(key),
      );
    }
    const row = await lookup;
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

  async template(id: number, field: string): Promise<{ id: number }> {
    const row = await this.repository.template(id);
    if (!row) throw unknown(field, 'license template', id);
    return row;
  }

  /** 400 InvalidReference unless `id` is a signature-key resource. */
  async signatureKey(id: number, field: string): Promise<void> {
    await this.signingKeys.describePublicKey(id, field);
  }
}
