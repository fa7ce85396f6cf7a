import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { Principal } from '../../common/auth';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, findPage, parseInclude, parseSelect, pickFields } from '../../common/query';
import { OrderLinesService } from '../orders/order-lines.service';
import { ResourceEntity } from '../resources/resource.entity';
import type { ResourceDto } from '../resources/resources.dto';
import { toResourceDto } from '../resources/resources.mapper';
import { signingAlgorithmOf } from '../resources/signing-keys.service';
import { SIGNING_ALGORITHMS } from '../signing';
import { Referrer, assertNotReferenced } from '../../database/referencing-rows';
import { ProductEntity } from './product.entity';
import { GetProductsResponse, InsertProductResponse, ProductDto } from './products.dto';
import { toProductDto } from './products.mapper';
import { PRODUCT_QUERY } from './products.query';

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
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orderLines: OrderLinesService,
  ) {}

  async list(options: QueryOptions, principal: Principal): Promise<GetProductsResponse> {
    const select = parseSelect(PRODUCT_QUERY, options.select);
    const include = parseInclude(PRODUCT_QUERY, options.include, principal);
    const { items, total } = await findPage(
      this.products.createQueryBuilder('product'),
      'product',
      PRODUCT_QUERY,
      options,
    );
    const signatureKeys = include.includes('signatureKeys') ? await this.loadSignatureKeys(items) : undefined;
    const productOrders = include.includes('productOrders')
      ? await this.orderLines.linesOfProducts(items.map((product) => product.id))
      : undefined;
    const products = items.map((product) =>
      pickFields(
        toProductDto(product, {
          signatureKeys: signatureKeys
            ? product.signatureKeysId
              ? (signatureKeys.get(product.signatureKeysId) ?? null)
              : null
            : undefined,
          productOrders: productOrders ? (productOrders.get(product.id) ?? []) : undefined,
        }),
        select ? [...select, ...include] : undefined,
      ),
    );
    return { products, totalProductsCount: total } as GetProductsResponse;
  }

  async insert(input: ProductDto): Promise<InsertProductResponse> {
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('product.name is required');
    const product = this.products.create({ name, code: null, price: null, resellerPrice: null, signatureKeysId: null });
    for (const field of TEXT_FIELDS) product[field] = input[field] ?? null;
    product.price = input.price ?? null;
    product.resellerPrice = input.resellerPrice ?? null;
    await this.applyCode(product, input.code);
    product.signatureKeysId = await this.checkedSignatureKeysId(input.signatureKeysId);
    const saved = await this.products.save(product);
    return { productId: saved.id } as InsertProductResponse;
  }

  /** Members left out of the request keep their value; null clears them. */
  async update(input: ProductDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('product.id is required to update a product');
    const product = await this.findOrFail(input.id);
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw ApiException.badRequest('product.name cannot be empty');
      product.name = input.name.trim();
    }
    for (const field of TEXT_FIELDS) if (input[field] !== undefined) product[field] = input[field] ?? null;
    if (input.price !== undefined) product.price = input.price;
    if (input.resellerPrice !== undefined) product.resellerPrice = input.resellerPrice;
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
      const locked = await manager.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [productId]);
      if (locked.length === 0) throw ApiException.notFound(`Product ${productId} does not exist`);
      await assertNotReferenced(manager, `product ${productId}`, productId, PRODUCT_REFERRERS, 'remove them first');
      await manager.delete(ProductEntity, { id: productId });
    });
  }

  private async findOrFail(productId: number): Promise<ProductEntity> {
    const product = await this.products.findOneBy({ id: productId });
    if (!product) throw ApiException.notFound(`Product ${productId} does not exist`);
    return product;
  }

  private async applyCode(product: ProductEntity, code: string | null | undefined): Promise<void> {
    const trimmed = code?.trim() || null;
    if (trimmed && trimmed.toLowerCase() !== product.code?.toLowerCase()) {
      const taken = await this.products
        .createQueryBuilder('product')
        .where('lower(product.code) = lower(:code)', { code: trimmed })
        .getExists();
      if (taken)
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
    const rows: Array<{ type: string | null }> = await this.products.query('SELECT type FROM resources WHERE id = $1', [
      id,
    ]);
    if (rows.length === 0)
      throw ApiException.badRequest(
        `product.signatureKeysId: resource ${id} does not exist`,
        ErrorCode.InvalidReference,
      );
    if (!signingAlgorithmOf(rows[0].type)) {
      throw ApiException.badRequest(
        `product.signatureKeysId: resource ${id} is of type "${rows[0].type ?? ''}", not a signature key (${SIGNING_ALGORITHMS.join(', ')})`,
        ErrorCode.InvalidReference,
      );
    }
    return id;
  }

  private async loadSignatureKeys(products: ProductEntity[]): Promise<Map<number, ResourceDto>> {
    const ids = [
      ...new Set(products.map((product) => product.signatureKeysId).filter((id): id is number => id !== null)),
    ];
    if (ids.length === 0) return new Map();
    const resources = await this.dataSource.getRepository(ResourceEntity).findBy({ id: In(ids) });
    return new Map(resources.map((resource) => [resource.id, toResourceDto(resource)]));
  }
}
