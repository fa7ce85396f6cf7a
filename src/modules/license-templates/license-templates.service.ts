import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { validateKeyFormat } from '../../common/key-format';
import { QueryOptions, findPage, parseInclude, parseSelect, pickFields } from '../../common/query';
import { ProductEntity } from '../products/product.entity';
import { LicenseFormat, LicensingMode } from '../signing';
import { LicenseTemplateEntity } from './license-template.entity';
import { renderTemplateXml } from './license-template-xml';
import {
  LicenseParts,
  assembliesToDto,
  featuresToDto,
  normalizeParts,
  productPartOf,
  productToDto,
  restrictionsToDto,
} from './license-parts';
import {
  GetLicenseTemplatesResponse,
  GetProductReleaseLicenseTemplatesResponse,
  InsertLicenseTemplateResponse,
  LicenseTemplateDto,
  UpdateLicenseTemplateResponse,
} from './license-templates.dto';
import { LICENSE_TEMPLATE_QUERY } from './license-templates.query';
import { LicensingReferences } from './licensing-references';

export function toLicenseTemplateDto(template: LicenseTemplateEntity): LicenseTemplateDto {
  return {
    id: template.id,
    name: template.name,
    code: template.code,
    licenseType: template.licenseType,
    format: template.format,
    licensingMode: template.licensingMode,
    licenseFileName: template.licenseFileName,
    issueDate: template.issueDate,
    expireDays: template.expireDays,
    supportDays: template.supportDays,
    generateKeyInfo: template.generateKeyInfo,
    userKey: template.userKey,
    description: template.description,
    template: template.template,
    productId: template.productId,
    signatureKeysId: template.signatureKeysId,
    releaseId: template.releaseId,
    product: productToDto(template.product),
    components: template.components,
    assemblies: assembliesToDto(template.assemblies),
    fields: template.fields,
    features: featuresToDto(template.features),
    restrictions: restrictionsToDto(template.restrictions),
  };
}

export function templateParts(template: Pick<LicenseTemplateEntity, keyof LicenseParts>): LicenseParts {
  return {
    product: template.product,
    components: template.components,
    assemblies: template.assemblies,
    fields: template.fields,
    features: template.features,
    restrictions: template.restrictions,
  };
}

/** Members a template update may change; the rest of the request is server-owned. */
const SCALAR_MEMBERS = [
  'code',
  'licenseType',
  'licenseFileName',
  'expireDays',
  'supportDays',
  'userKey',
  'description',
] as const;
const PART_MEMBERS = ['product', 'components', 'assemblies', 'fields', 'features', 'restrictions'] as const;

@Injectable()
export class LicenseTemplatesService {
  constructor(
    @InjectRepository(LicenseTemplateEntity) private readonly templates: Repository<LicenseTemplateEntity>,
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    private readonly references: LicensingReferences,
  ) {}

  list(options: QueryOptions): Promise<GetLicenseTemplatesResponse> {
    return this.page(options);
  }

  /** 404 unless the product exists and the release is one of its releases. */
  async listForRelease(
    productId: number,
    releaseId: number,
    options: QueryOptions,
  ): Promise<GetProductReleaseLicenseTemplatesResponse> {
    const [release] = await this.templates.query(
      `SELECT product_id AS "productId" FROM product_releases WHERE id = $1`,
      [releaseId],
    );
    if (!release || release.productId !== productId) {
      const [product] = await this.templates.query(`SELECT 1 FROM products WHERE id = $1`, [productId]);
      throw ApiException.notFound(
        product ? `Product ${productId} has no release ${releaseId}` : `Product ${productId} does not exist`,
      );
    }
    return this.page(options, { productId, releaseId });
  }

  async insert(input: LicenseTemplateDto): Promise<InsertLicenseTemplateResponse> {
    const template = this.templates.create({
      ...Object.fromEntries(SCALAR_MEMBERS.map((member) => [member, null])),
      format: LicenseFormat.Xml,
      licensingMode: LicensingMode.File,
      issueDate: true,
      generateKeyInfo: false,
      productId: null,
      signatureKeysId: null,
      releaseId: null,
    });
    await this.apply(template, input, true);
    const saved = await this.templates.save(template);
    return { templateId: saved.id, template: saved.template } as InsertLicenseTemplateResponse;
  }

  async update(input: LicenseTemplateDto): Promise<UpdateLicenseTemplateResponse> {
    if (!input.id) throw ApiException.badRequest('licenseTemplate.id is required to update a license template');
    const template = await this.findEntity(input.id);
    await this.apply(template, input, false);
    const saved = await this.templates.save(template);
    return { template: saved.template } as UpdateLicenseTemplateResponse;
  }

  async delete(id: number): Promise<void> {
    await this.templates.manager.transaction(async (manager) => {
      // Locks the template so that no license can start using it between the count and the delete.
      const [template] = await manager.query(`SELECT id FROM license_templates WHERE id = $1 FOR UPDATE`, [id]);
      if (!template) throw ApiException.notFound(`License template ${id} does not exist`);
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM licenses WHERE template_id = $1`, [
        id,
      ]);
      if (count > 0) {
        throw ApiException.conflict(
          `License template ${id} is used by ${count} license${count === 1 ? '' : 's'}; delete or move them first`,
          ErrorCode.InUse,
        );
      }
      await manager.query(`DELETE FROM license_templates WHERE id = $1`, [id]);
    });
  }

  async findEntity(id: number): Promise<LicenseTemplateEntity> {
    const template = await this.templates.findOneBy({ id });
    if (!template) throw ApiException.notFound(`License template ${id} does not exist`);
    return template;
  }

  /** Templates by id for an `include`, in one query. */
  async findDtos(ids: number[]): Promise<Map<number, LicenseTemplateDto>> {
    if (ids.length === 0) return new Map();
    const rows = await this.templates
      .createQueryBuilder('template')
      .where('template.id IN (:...ids)', { ids })
      .getMany();
    return new Map(rows.map((row) => [row.id, toLicenseTemplateDto(row)]));
  }

  private async page(
    options: QueryOptions,
    scope?: { productId: number; releaseId: number },
  ): Promise<GetLicenseTemplatesResponse> {
    const select = parseSelect(LICENSE_TEMPLATE_QUERY, options.select);
    const include = parseInclude(LICENSE_TEMPLATE_QUERY, options.include);
    const qb = this.templates.createQueryBuilder('template');
    if (scope) qb.where('template.productId = :productId AND template.releaseId = :releaseId', scope);
    const { items, total } = await findPage(qb, 'template', LICENSE_TEMPLATE_QUERY, options);
    const productIds = [
      ...new Set(items.map((template) => template.productId).filter((id): id is number => id !== null)),
    ];
    const products =
      include.includes('product') && productIds.length > 0
        ? new Map((await this.products.findBy({ id: In(productIds) })).map((row) => [row.id, productPartOf(row)]))
        : undefined;
    const licenseTemplates = items.map((template) => {
      const dto = toLicenseTemplateDto(template);
      const row = products && template.productId !== null ? products.get(template.productId) : undefined;
      if (row) dto.product = productToDto({ ...row, ...(template.product ?? {}) });
      return pickFields(dto, select);
    });
    return { licenseTemplates, totalLicenseTemplatesCount: total } as GetLicenseTemplatesResponse;
  }

  /** Applies the members given (undefined = unchanged, null = cleared), checks references and renders the XML. */
  private async apply(template: LicenseTemplateEntity, input: LicenseTemplateDto, inserting: boolean): Promise<void> {
    if (inserting || input.name !== undefined) {
      const name = input.name?.trim();
      if (!name)
        throw ApiException.badRequest(
          inserting ? 'licenseTemplate.name is required' : 'licenseTemplate.name cannot be empty',
        );
      template.name = name;
    }
    for (const member of SCALAR_MEMBERS) {
      if (input[member] !== undefined) (template as unknown as Record<string, unknown>)[member] = input[member] ?? null;
    }
    if (template.userKey !== null && template.userKey.trim() === '') template.userKey = null;
    if (template.userKey !== null) this.checkKeyFormat(template.userKey);
    if (input.format !== undefined && input.format !== null) template.format = input.format;
    if (input.licensingMode !== undefined && input.licensingMode !== null) template.licensingMode = input.licensingMode;
    if (input.issueDate !== undefined && input.issueDate !== null) template.issueDate = input.issueDate;
    if (input.generateKeyInfo !== undefined && input.generateKeyInfo !== null)
      template.generateKeyInfo = input.generateKeyInfo;

    if (input.productId !== undefined) template.productId = input.productId || null;
    if (input.releaseId !== undefined) template.releaseId = input.releaseId || null;
    if (input.signatureKeysId !== undefined) template.signatureKeysId = input.signatureKeysId || null;
    if (template.productId !== null && (inserting || input.productId !== undefined)) {
      await this.references.product(template.productId, 'licenseTemplate.productId');
    }
    if (template.releaseId !== null && (inserting || input.releaseId !== undefined || input.productId !== undefined)) {
      const release = await this.references.release(
        template.productId,
        template.releaseId,
        'licenseTemplate.releaseId',
      );
      template.productId ??= release.productId;
    }
    if (template.signatureKeysId !== null && (inserting || input.signatureKeysId !== undefined)) {
      await this.references.signatureKey(template.signatureKeysId, 'licenseTemplate.signatureKeysId');
    }

    if (inserting || PART_MEMBERS.some((member) => input[member] !== undefined)) {
      const given = normalizeParts(input, 'licenseTemplate');
      if (inserting || input.product !== undefined) template.product = given.product;
      if (inserting || input.components !== undefined) template.components = given.components;
      if (inserting || input.assemblies !== undefined) template.assemblies = given.assemblies;
      if (inserting || input.fields !== undefined) template.fields = given.fields;
      if (inserting || input.features !== undefined) template.features = given.features;
      if (inserting || input.restrictions !== undefined) template.restrictions = given.restrictions;
    }
    template.template = renderTemplateXml(template, templateParts(template));
  }

  private checkKeyFormat(format: string): void {
    try {
      validateKeyFormat(format);
    } catch (error) {
      if (error instanceof ApiException) throw ApiException.badRequest(`licenseTemplate.userKey: ${error.message}`);
      throw error;
    }
  }
}
