import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  NestedArray,
  OptionalBoolean,
  OptionalEnum,
  OptionalInt,
  OptionalString,
  OptionalStringArray,
  Out,
  OptionalReference,
} from '../../common/dto';
import {
  LicenseAssemblyDto,
  LicenseFeatureDto,
  LicenseFieldDto,
  LicenseProductDto,
  LicenseRestrictionDto,
} from './license-parts.dto';

@ApiSchema({ name: 'Management.LicenseTemplate' })
export class LicenseTemplateDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(256, 'Required') name?: string;
  @OptionalString(128) code?: string | null;
  @OptionalString(128, 'Free text written into the license, e.g. "Standard"') licenseType?: string | null;
  @OptionalEnum([0, 1, 2, 3], 'License key format: 0 XML, 1 XML DSig, 2 ASCII, 3 Base32') format?: number | null;
  @OptionalEnum([0, 1, 2], '0 File, 1 Activation, 2 Floating') licensingMode?: number | null;
  @OptionalString(256, 'File name suggested for the license file') licenseFileName?: string | null;
  @OptionalBoolean('Whether its licenses carry an issue date (default true)') issueDate?: boolean | null;
  @OptionalInt({ min: 0, max: 36500, description: 'Licenses expire this many days after issue; empty or 0 = never' })
  expireDays?: number | null;
  @OptionalInt({
    min: 0,
    max: 36500,
    description: 'Support ends this many days after issue; empty or 0 = no support date',
  })
  supportDays?: number | null;
  @OptionalBoolean('Embed the public key in its licenses') generateKeyInfo?: boolean | null;
  @OptionalString(
    256,
    'Key format of the user keys, e.g. {TOKEN:5}-{TOKEN:5}-{TOKEN:5}; empty uses the Licensing.UserKeyFormat setting',
  )
  userKey?: string | null;
  @OptionalString(4096) description?: string | null;
  @OptionalString(1_000_000, 'Rendered by the server from the other members (XML); ignored on input') template?:
    string | null;
  @OptionalReference('Product of this server; its signature key signs when the template has none')
  productId?: number | null;
  @OptionalReference('Signature key (a Resource of type RSA, ECDSA or Ed25519)') signatureKeysId?: number | null;
  @OptionalReference('Release of productId the template belongs to') releaseId?: number | null;
  @Nested(() => LicenseProductDto, { description: 'Product as written into its licenses' })
  product?: LicenseProductDto | null;
  @OptionalStringArray(256) components?: string[] | null;
  @NestedArray(() => LicenseAssemblyDto) assemblies?: LicenseAssemblyDto[] | null;
  @NestedArray(() => LicenseFieldDto) fields?: LicenseFieldDto[] | null;
  @NestedArray(() => LicenseFeatureDto) features?: LicenseFeatureDto[] | null;
  @NestedArray(() => LicenseRestrictionDto) restrictions?: LicenseRestrictionDto[] | null;
}

@ApiSchema({ name: 'Management.InsertLicenseTemplateRequest' })
export class InsertLicenseTemplateRequest {
  @Nested(() => LicenseTemplateDto, { required: true }) licenseTemplate: LicenseTemplateDto;
}

@ApiSchema({ name: 'Management.UpdateLicenseTemplateRequest' })
export class UpdateLicenseTemplateRequest {
  @Nested(() => LicenseTemplateDto, { required: true }) licenseTemplate: LicenseTemplateDto;
}

@ApiSchema({ name: 'Management.GetLicenseTemplatesResponse' })
export class GetLicenseTemplatesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LicenseTemplateDto] }) licenseTemplates: LicenseTemplateDto[];
  @TotalCount() totalLicenseTemplatesCount: number | null;
}

@ApiSchema({ name: 'Management.GetProductReleaseLicenseTemplatesResponse' })
export class GetProductReleaseLicenseTemplatesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LicenseTemplateDto] }) licenseTemplates: LicenseTemplateDto[];
  @TotalCount() totalLicenseTemplatesCount: number | null;
}

@ApiSchema({ name: 'Management.InsertLicenseTemplateResponse' })
export class InsertLicenseTemplateResponse extends ApiResponseDto {
  @Out({ description: 'Id of the new template' }) templateId: number;
  @Out({ description: 'The rendered template (XML)' }) template: string;
}

@ApiSchema({ name: 'Management.UpdateLicenseTemplateResponse' })
export class UpdateLicenseTemplateResponse extends ApiResponseDto {
  @Out({ description: 'The rendered template (XML)' }) template: string;
}

@ApiSchema({ name: 'Management.DeleteLicenseTemplateResponse' })
export class DeleteLicenseTemplateResponse extends ApiResponseDto {}
