import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { validateKeyFormat } from '../../common/key-format';
import { QueryOptions, listPage } from '../../common/query';
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
import { LicenseTemplatesRepository } from './license-templates.repository';
import { LicensingReferences } from './licensing-references';
import { LicensingReferencesRepository } from './licensing-references.repository';

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
    private readonly audit: AuditRecorder,
    private readonly templates: LicenseTemplatesRepository,
    private readonly references: LicensingReferences,
    private readonly records: LicensingReferencesRepository,
    private readonly dataSource: DataSource,
  ) {}

  list(options: QueryOptions): Promise<Payload<GetLicenseTemplatesResponse>> {
    return this.page(options);
  }

  /** 404 unless the product exists and the release is one of its releases. */
  async listForRelease(
    productId: number,
    releaseId: number,
    options: QueryOptions,
  ): Promise<Payload<GetProductReleaseLicenseTemplatesResponse>> {
    const release = await this.records.release(releaseId);
    if (!release || release.productId !== productId) {
      const product = await this.records.product(productId);
      throw ApiException.notFound(
        product ? `Product ${productId} has no release ${releaseId}` : `Product ${productId} does not exist`,
      );
    }
    return this.page(options, { productId, releaseId });
  }

  async insert(input: LicenseTemplateDto): Promise<Payload<InsertLicenseTemplateResponse>> {
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
    return { templateId: saved.id, template: saved.template };
  }

  async update(input: LicenseTemplateDto): Promise<Payload<UpdateLicenseTemplateResponse>> {
    if (!input.id) throw ApiException.badRequest('licenseTemplate.id is required to update a license template');
    const template = await this.findEntity(input.id);
    await this.apply(template, input, false);
    const saved = await this.templates.save(template);
    return { template: saved.template };
  }

  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Locks the template so that no license can start using it between the count and the delete.
      if (!(await this.templates.lock(manager, id)))
        throw ApiException.notFound(`License template ${id} does not exist`);
      const count = await this.templates.countLicenses(manager, id);
      if (count > 0) {
        throw ApiException.conflict(
          `License template ${id} is used by ${count} license${count === 1 ? '' : 's'}; delete or move them first`,
          ErrorCode.InUse,
        );
      }
      await this.templates.delete(manager, id);
      await this.audit.record(manager, {
        action: 'licenseTemplate.deleted',
        entityType: 'licenseTemplate',
        entityId: id,
      });
    });
  }

  private async findEntity(id: number): Promise<LicenseTemplateEntity> {
    const template = await this.templates.findById(id);
    if (!template) throw ApiException.notFound(`License template ${id} does not exist`);
    return template;
  }

  /** Templates by id for an `include`, in one query. */
  async findDtos(ids: number[]): Promise<Map<number, LicenseTemplateDto>> {
    if (ids.length === 0) return new Map();
    const rows = await this.templates.findByIds(ids);
    return new Map(rows.map((row) => [row.id, toLicenseTemplateDto(row)]));
  }

  private async page(
    options: QueryOptions,
    scope?: { productId: number; releaseId: number },
  ): Promise<Payload<GetLicenseTemplatesResponse>> {
    const { items, total, nextCursor } = await listPage(LICENSE_TEMPLATE_QUERY, options, {
      read: () => this.templates.page(options, scope),
      toDtos: (rows, include) => this.toDtos(rows, include),
    });
    return { licenseTemplates: items, totalLicenseTemplatesCount: total, nextCursor };
  }

  /** An included product is the product row's members overlaid with the template's own product member. */
  private async toDtos(templates: LicenseTemplateEntity[], include: string[]): Promise<LicenseTemplateDto[]> {
    const productIds = [
      ...new Set(templates.map((template) => template.productId).filter((id): id is number => id !== null)),
    ];
    const products =
      include.includes('product') && productIds.length > 0
        ? new Map((await this.templates.findProducts(productIds)).map((row) => [row.id, productPartOf(row)]))
        : undefined;
    return templates.map((template) => {
      const dto = toLicenseTemplateDto(template);
      const row = products && template.productId !== null ? products.get(template.productId) : undefined;
      if (row) dto.product = productToDto({ ...row, ...(template.product ?? {}) });
      return dto;
    });
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
    copyPresent(template, input, SCALAR_MEMBERS);
    if (template.userKey !== null && template.userKey.trim() === '') template.userKey = null;
    if (template.userKey !== null) this.checkKeyFormat(template.userKey);
    copyPresent(template, input, ['format', 'licensingMode', 'issueDate', 'generateKeyInfo'], { nullKeeps: true });
    // 0 names no record, as null does.
    copyPresent(template, input, ['productId', 'releaseId', 'signatureKeysId'], { convert: (id) => id || null });
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
