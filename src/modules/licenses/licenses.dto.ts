import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  NestedArray,
  OptionalBoolean,
  OptionalDate,
  OptionalEnum,
  OptionalInt,
  OptionalString,
  OptionalStringArray,
  Out,
  Embedded,
  OptionalReference,
} from '../../common/dto';
import { CustomerDto } from '../customers/customers.dto';
import {
  LicenseAssemblyDto,
  LicenseeDto,
  LicenseFeatureDto,
  LicenseFieldDto,
  LicenseProductDto,
  LicenseRestrictionDto,
} from '../license-templates/license-parts.dto';
import { LicenseTemplateDto } from '../license-templates/license-templates.dto';
import { OrderDto } from '../orders/orders.dto';

@ApiSchema({ name: 'Management.License' })
export class LicenseDto {
  @OptionalInt({ description: 'Row id; required by update, ignored by insert' }) id?: number;
  @OptionalString(128, 'Public license id; generated from the Licensing.LicenseIdFormat setting when omitted')
  licenseId?: string | null;
  @OptionalString(128, 'Free text, e.g. "Standard"; defaults to the template\'s') licenseType?: string | null;
  @OptionalEnum(
    [0, 1, 2, 3],
    "License key format: 0 XML, 1 XML DSig, 2 ASCII, 3 Base32; defaults to the template's, else 0",
  )
  format?: number | null;
  @OptionalString(4096) description?: string | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalDate('Set by the server') updatedAt?: string | null;
  @OptionalDate('Defaults to now (unless the template turns issue dates off)') issueDate?: string | null;
  @OptionalDate("Defaults to issue date + the template's expireDays; empty = never") expireDate?: string | null;
  @OptionalDate("Defaults to issue date + the template's supportDays") supportExpireDate?: string | null;
  @OptionalBoolean('A revoked license is refused by the licensing API') revoked?: boolean | null;
  @OptionalBoolean('Record license traces (activations, validations, …)') trace?: boolean | null;
  @OptionalString(1_000_000, 'The signed license; made by the server, ignored on input') licenseKey?: string | null;
  @OptionalInt({
    min: 0,
    description: 'Activations or floating seats at the same time; default 1 for activation and floating licenses',
  })
  maxAllowedSites?: number | null;
  @OptionalString(
    256,
    "Generated from the template's user key format (else the Licensing.UserKeyFormat setting) when omitted; unique",
  )
  userKey?: string | null;
  @OptionalEnum([0, 1, 2], "0 File, 1 Activation, 2 Floating; defaults to the template's, else 0") licensingMode?:
    number | null;
  @OptionalString(256, "Defaults to the customer's name") licenseeName?: string | null;
  @OptionalString(256, "Defaults to the customer's company") licenseeCompany?: string | null;
  @OptionalString(256, "Defaults to the customer's email") licenseeEmail?: string | null;
  @OptionalString(64, 'SHA-256 (hex) of licenseKey; set by the server') hash?: string | null;
  @OptionalString(65536) meta?: string | null;
  @OptionalReference("Template the license is made from; its parts are merged with the license's")
  templateId?: number | null;
  @OptionalReference("Signature key (Resource); defaults to the template's, then the product's")
  signatureKeysId?: number | null;
  @OptionalReference('The customer the license is for') customerId?: number | null;
  @OptionalReference('The order the license was sold with') orderId?: number | null;
  @Nested(() => LicenseProductDto, { description: "Product written into the license; merged over the template's" })
  product?: LicenseProductDto | null;
  @Embedded(() => OrderDto, 'The order when include names Order; ignored on input') order?: OrderDto | null;
  @Embedded(() => CustomerDto, 'The customer when include names Customer; ignored on input')
  customer?: CustomerDto | null;
  @Embedded(() => LicenseTemplateDto, 'The template when include names Template; ignored on input')
  template?: LicenseTemplateDto | null;
  @Nested(() => LicenseeDto, {
    description: 'name and company, when given, stand for licenseeName and licenseeCompany',
  })
  licensee?: LicenseeDto | null;
  @OptionalStringArray(256) components?: string[] | null;
  @NestedArray(() => LicenseAssemblyDto, "Merged by name with the template's") assemblies?: LicenseAssemblyDto[] | null;
  @NestedArray(() => LicenseFieldDto, "Merged by name with the template's") fields?: LicenseFieldDto[] | null;
  @NestedArray(() => LicenseFeatureDto, "Merged by id (else name) with the template's") features?:
    LicenseFeatureDto[] | null;
  @NestedArray(() => LicenseRestrictionDto, "Merged by name with the template's") restrictions?:
    LicenseRestrictionDto[] | null;
}

@ApiSchema({ name: 'Management.InsertLicenseRequest' })
export class InsertLicenseRequest {
  @Nested(() => LicenseDto, { required: true }) license: LicenseDto;
}

@ApiSchema({ name: 'Management.UpdateLicenseRequest' })
export class UpdateLicenseRequest {
  @Nested(() => LicenseDto, { required: true }) license: LicenseDto;
}

@ApiSchema({ name: 'Management.GetLicensesResponse' })
export class GetLicensesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LicenseDto] }) licenses: LicenseDto[];
  @TotalCount() totalLicensesCount: number | null;
}

@ApiSchema({ name: 'Management.GetCustomerLicensesResponse' })
export class GetCustomerLicensesResponse extends GetLicensesResponse {}

@ApiSchema({ name: 'Management.GetOrderLicensesResponse' })
export class GetOrderLicensesResponse extends GetLicensesResponse {}

@ApiSchema({ name: 'Management.GetLicenseTemplateLicensesResponse' })
export class GetLicenseTemplateLicensesResponse extends GetLicensesResponse {}

@ApiSchema({ name: 'Management.InsertLicenseResponse' })
export class InsertLicenseResponse extends ApiResponseDto {
  @Out({ description: 'Row id of the new license' }) licenseId: number;
  @Out({ description: 'The public license id, e.g. lic0A1B2C3D' }) licenseKeyId: string;
  @Out() userKey: string;
  @Out({ description: 'The signed license' }) licenseKey: string;
}

@ApiSchema({ name: 'Management.UpdateLicenseResponse' })
export class UpdateLicenseResponse extends ApiResponseDto {
  @Out({ description: 'The public license id' }) licenseKeyId: string;
  @Out() userKey: string;
  @Out({ description: 'The signed license; signed anew when its content changed' }) licenseKey: string;
}

@ApiSchema({ name: 'Management.DeleteLicenseResponse' })
export class DeleteLicenseResponse extends ApiResponseDto {}
