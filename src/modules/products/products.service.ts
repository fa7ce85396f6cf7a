import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import type { ResourceDto } from '../resources/resources.dto';
import { toResourceDto } from '../resources/resources.mapper';
import { signingAlgorithmOf } from '../resources/signing-keys.service';
import { SIGNING_ALGORITHMS } from '../signing';
import { Referrer, assertNotReferenced } from '../../database/referencing-rows';
import { ProductOrderLines } from './product-order-lines';
import { ProductEntity } from './product.entity';
import { GetProductsResponse, InsertProductResponse, ProductDto } from './products.dto';
import { toProductDto } from './products.mapper';
import { PRODUCT_QUERY } from './products.query';
import { ProductSigningKeyRow, ProductsRepository } from './products.repository';

const PRODUCT_REFERRERS: Referrer[] = [
  { table: 'order_products', column: 'product_id', noun: 'order line' },
  { table: 'product_releases', column: 'product_id', noun: 'release' },
  { table: 'license_templates', column: 'product_id', noun: 'license template' },
  { table: 'licenses', column: 'product_id', noun: 'license' },
];

const TEXT_FIELDS = ['description', 'url', 'copyright', 'image', 'currency', 'meta'] as const;

@Injectable()
export class ProductsService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly products: ProductsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Provided by the orders module (see ProductOrderLines). */
  private get orderLines(): ProductOrderLines {
    return this.moduleRef.get(ProductOrderLines, { strict: false });
  }

  async list(options: QueryOptions, principal: Principal): Promise<Payload<GetProductsResponse>> {
    const { items, total, nextCursor } = await listPage(PRODUCT_QUERY, options, {
      read: () => this.products.findPage(options),
      toDtos: (products, include) => this.toDtos(products, include),
      reader: principal,
    });
    return { products: items, totalProductsCount: total, nextCursor };
  }

  private async toDtos(items: ProductEntity[], include: string[]): Promise<ProductDto[]> {
    const signatureKeys = include.includes('signatureKeys') ? await this.loadSignatureKeys(items) : undefined;
    const productOrders = include.includes('productOrders')
      ? await this.orderLines.linesOfProducts(items.map((product) => product.id))
      : undefined;
    return items.map((product) =>
      toProductDto(product, {
        signatureKeys: signatureKeys
          ? product.signatureKeysId
            ? (signatureKeys.get(product.signatureKeysId) ?? null)
            : null
          : undefined,
        productOrders: productOrders ? (productOrders.get(product.id) ?? []) : undefined,
      }),
    );
  }

  /**
   * Products with the signature keys their licenses carry (see ProductsRepository.findSigningKeys), for the admin
   * CLI; one product when `productId` is given, 404 when it does not exist.
   */
  async signingKeys(productId?: number): Promise<ProductSigningKeyRow[]> {
    const rows = await this.products.findSigningKeys(productId);
    if (productId !== undefined && rows.length === 0)
      throw ApiException.notFound(`Product ${productId} does not exist`);
    return rows;
  }

  async insert(input: ProductDto): Promise<Payload<InsertProductResponse>> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('product.name is required');
    const product = new ProductEntity();
    Object.assign(product, { name, code: null, price: null, resellerPrice: null, signatureKeysId: null });
    for (const field of TEXT_FIELDS) product[field] = input[field] ?? null;
    product.price = input.price ?? null;
    product.resellerPrice = input.resellerPrice ?? null;
    await this.applyCode(product, input.code);
    product.signatureKeysId = await this.checkedSignatureKeysId(input.signatureKeysId);
    const saved = await this.products.save(product);
    return { productId: saved.id };
  }

  /** Members left out of the request keep their value; null clears them. */
  async update(input: ProductDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('product.id is required to update a product');
    const product = await this.products.findById(input.id);
    if (!product) throw ApiException.notFound(`Product ${input.id} does not exist`);
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('product.name cannot be empty');
      product.name = input.name.trim();
    }
    copyPresent(product, input, [...TEXT_FIELDS, 'price', 'resellerPrice']);
    if (input.code !== undefined) await this.applyCode(product, input.code);
    if (input.signatureKeysId !== undefined)
      product.signatureKeysId = await this.checkedSignatureKeysId(input.signatureKeysId);
    await this.products.save(product);
  }

  /**
   * Order lines, releases, license templates and licenses are business records of their own, so a
   * product that has any is kept. The row lock makes a concurrent new order line wait for the verdict.
   */
  async delete(productId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.products.lock(manager, productId)))
        throw ApiException.notFound(`Product ${productId} does not exist`);
      await assertNotReferenced(manager, `product ${productId}`, productId, PRODUCT_REFERRERS, 'remove them first');
      await this.products.delete(manager, productId);
      await this.audit.record(manager, { action: 'product.deleted', entityType: 'product', entityId: productId });
    });
  }

  private async applyCode(product: ProductEntity, code: string | null | undefined): Promise<void> {
    const trimmed = code?.trim() || null;
    if (trimmed && trimmed.toLowerCase() !== product.code?.toLowerCase()) {
      if (await this.products.isCodeTaken(trimmed))
        throw ApiException.conflict(
          `product.code "${trimmed}" is already used by another product`,
          ErrorCode.Duplicate,
        );
    }
    product.code = trimmed;
  }

  /** 0 and null mean "no key", as clients with non-nullable ints send 0 for an unset id. */
  private async checkedSignatureKeysId(id: number | null | undefined): Promise<number | null> {
    if (!id) return null;
    const type = await this.products.findResourceType(id);
    if (type === undefined)
      throw ApiException.badRequest(
        `product.signatureKeysId: resource ${id} does not exist`,
        ErrorCode.InvalidReference,
      );
    if (!signingAlgorithmOf(type)) {
      throw ApiException.badRequest(
        `product.signatureKeysId: resource ${id} is of type "${type ?? ''}", not a signature key (${SIGNING_ALGORITHMS.join(', ')})`,
        ErrorCode.InvalidReference,
      );
    }
    return id;
  }

  private async loadSignatureKeys(products: ProductEntity[]): Promise<Map<number, ResourceDto>> {
    const ids = [
      ...new Set(products.map((product) => product.signatureKeysId).filter((id): id is number => id !== null)),
    ];
    const resources = await this.products.findResourcesByIds(ids);
    return new Map(resources.map((resource) => [resource.id, toResourceDto(resource)]));
  }
}
