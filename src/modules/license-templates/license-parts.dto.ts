import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsObject, IsOptional, ValidateIf } from 'class-validator';
import { OptionalDate, OptionalInt, OptionalString } from '../../common/dto';

/**
 * The structured parts a template and a license share (the reference's product, assemblies, fields,
 * features and restrictions). They are stored as jsonb and written into the signed license document.
 */

@ApiSchema({ name: 'Management.LicenseProduct' })
export class LicenseProductDto {
  @OptionalString(
    128,
    'Product identifier written into the license. Digits only means the id of a product of this server, which the license is then linked to.',
  )
  id?: string | null;
  @OptionalString(256) name?: string | null;
  @OptionalString(64) version?: string | null;
  @OptionalString(512) copyright?: string | null;
  @OptionalString(512) url?: string | null;
  @OptionalString(4096) description?: string | null;
}

@ApiSchema({ name: 'Management.LicenseAssembly' })
export class LicenseAssemblyDto {
  @OptionalInt({ description: 'Id of a release assembly, when the entry was copied from one' }) id?: number | null;
  @OptionalString(256) name?: string | null;
  @OptionalString(64) version?: string | null;
  @OptionalString(64) culture?: string | null;
  @OptionalString(64) publicKeyToken?: string | null;
  @OptionalInt({ description: 'Not written into the license' }) mappingFileId?: number | null;
  @OptionalString(256, 'Not written into the license') debugSymbolsKey?: string | null;
}

@ApiSchema({ name: 'Management.LicenseField' })
export class LicenseFieldDto {
  @OptionalString(256) name?: string | null;
  @OptionalString(8192) value?: string | null;
}

@ApiSchema({ name: 'Management.LicenseFeature' })
export class LicenseFeatureDto {
  @OptionalString(128) id?: string | null;
  @OptionalString(256) name?: string | null;
  @OptionalString(4096) description?: string | null;
  @OptionalDate() expireDate?: string | null;
  @OptionalString(1024) key?: string | null;
  @OptionalString(65536) data?: string | null;
}

/** A string-to-string map; the values are checked where the parts are normalised. */
const OptionalStringMap = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, nullable: true, description }),
    IsOptional(),
    ValidateIf((_, value) => value !== null && value !== undefined),
    IsObject({ message: '$property must be an object of strings' }),
  );

@ApiSchema({ name: 'Management.LicenseRestriction' })
export class LicenseRestrictionDto {
  @OptionalString(128) id?: string | null;
  @OptionalString(256, 'e.g. Hardware (property machineId), Domain, Usage') name?: string | null;
  @OptionalDate() expireDate?: string | null;
  @OptionalStringMap('Name → value, e.g. {"machineId": "…"}') properties?: Record<string, string> | null;
  @OptionalString(65536, 'Kept as text inside the license (escaped in XML)') customXmlContent?: string | null;
}

@ApiSchema({ name: 'Management.Licensee' })
export class LicenseeDto {
  @OptionalString(256) name?: string | null;
  @OptionalString(256) company?: string | null;
  @OptionalString(1024) contactInfo?: string | null;
  @OptionalString(512) url?: string | null;
}
