import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { Nested, OptionalDate, OptionalInt, OptionalString } from '../../common/dto';

/** Room for the largest value setting Application.MaxResourceDataBytes allows, base64-encoded. */
const MAX_DATA_CHARACTERS = 140 * 1024 * 1024;

@ApiSchema({ name: 'Management.Resource' })
export class ResourceDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(256, 'Required by insert') name?: string | null;
  @OptionalString(64, 'e.g. email, file, or RSA / ECDSA / Ed25519 for a signature key') type?: string | null;
  @OptionalString(128, 'Unique without regard to case when set') code?: string | null;
  @OptionalString(65536) description?: string | null;
  @OptionalString(1024) source?: string | null;
  @OptionalString(
    256,
    'Write-only: stored as an argon2 hash and answered as null. On update, null keeps it and "" removes it.',
  )
  password?: string | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalDate('Set by the server') updatedAt?: string | null;
  @OptionalString(
    MAX_DATA_CHARACTERS,
    'Text formats as they are, binary formats (binary, zip, png, pdf, …) as base64; at most setting Application.MaxResourceDataBytes bytes. ' +
      'Signature keys: a PEM private key to import, or nothing to have a key pair generated; always answered as the public key PEM.',
  )
  data?: string | null;
  @OptionalString(32, 'html, pem, xml, json, txt, … or a binary format (binary, zip, png, …); signature keys are pem')
  dataFormat?: string | null;
  @OptionalString(
    65536,
    'Free text. For an email template JSON such as {"enable_send":"true","email_subject":"…"}; for a generated RSA key {"keySize":3072} picks the size.',
  )
  meta?: string | null;
  @OptionalString(64, 'Signature keys: the key id that signed licenses carry (set by the server; ignored on input)')
  keyId?: string | null;
}

@ApiSchema({ name: 'Management.InsertResourceRequest' })
export class InsertResourceRequest {
  @Nested(() => ResourceDto, { required: true }) resource: ResourceDto;
}

@ApiSchema({ name: 'Management.UpdateResourceRequest' })
export class UpdateResourceRequest {
  @Nested(() => ResourceDto, { required: true }) resource: ResourceDto;
}

@ApiSchema({ name: 'Management.GetResourcesResponse' })
export class GetResourcesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ResourceDto] }) resources: ResourceDto[];
  @TotalCount() totalResourcesCount: number | null;
}

@ApiSchema({ name: 'Management.InsertResourceResponse' })
export class InsertResourceResponse extends ApiResponseDto {
  @ApiProperty() resourceId: number;
}

@ApiSchema({ name: 'Management.UpdateResourceResponse' })
export class UpdateResourceResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteResourceResponse' })
export class DeleteResourceResponse extends ApiResponseDto {}
