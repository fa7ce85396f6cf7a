import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { SigningKeysService } from '../resources/signing-keys.service';

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
  constructor(
    private readonly dataSource: DataSource,
    private readonly signingKeys: SigningKeysService,
  ) {}

  async product(id: number, field: string, manager: EntityManager = this.dataSource.manager): Promise<ProductReference> {
    const [row] = await manager.query(
      `SELECT id, name, description, url, copyright, signature_keys_id AS "signatureKeysId" FROM products WHERE id = $1`,
      [id],
    );
    if (!row) throw unknown(field, 'product', id);
    return row;
  }

  /** The release must exist and, when `productId` is given, belong to that product. */
  async release(productId: number | null, releaseId: number, field: string): Promise<{ id: number; productId: number }> {
    const [row] = await this.dataSource.query(`SELECT id, product_id AS "productId" FROM product_releases WHERE id = $1`, [releaseId]);
    if (!row) throw unknown(field, 'release', releaseId);
    if (productId !== null && row.productId !== productId) {
      throw ApiException.badRequest(`${field}: release ${releaseId} belongs to product ${row.productId}, not to product ${productId}`, ErrorCode.InvalidReference);
    }
    return row;
  }

  async customer(id: number, field: string, manager: EntityManager = this.dataSource.manager): Promise<CustomerReference> {
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

  /** 400 InvalidReference unless `id` is a signature-key resource. */
  async signatureKey(id: number, field: string): Promise<void> {
    await this.signingKeys.describePublicKey(id, field);
  }
}
