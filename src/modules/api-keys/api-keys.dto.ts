import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { Nested, OptionalBoolean, OptionalDate, OptionalInt, OptionalString, OptionalUuid } from '../../common/dto';

@ApiSchema({ name: 'Management.ApiKey' })
export class ApiKeyDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(128) name?: string;
  @OptionalString(128, 'Never the key itself: a hint such as "api_ab12…yz89". Ignored on input; keys are generated.')
  key?: string | null;
  @OptionalString(256, 'Never returned. Ignored on input.') clientSecret?: string | null;
  @OptionalDate('Set by the server') createdDate?: string | null;
  @OptionalDate('After this instant the key is refused') expireDate?: string | null;
  @OptionalUuid('The user whose roles the key acts with; defaults to the caller') ownerId?: string | null;
  @OptionalBoolean('A revoked key is refused') revoked?: boolean | null;
  @OptionalInt({ min: 0, max: 15, description: 'Bits: Read 1, Write 2, Delete 4, Create 8 (15 = all)' }) permissions?:
    number | null;
  @OptionalString(512) description?: string | null;
}

@ApiSchema({ name: 'Management.InsertApiKeyRequest' })
export class InsertApiKeyRequest {
  @Nested(() => ApiKeyDto, { required: true }) apiKey: ApiKeyDto;
}

@ApiSchema({ name: 'Management.UpdateApiKeyRequest' })
export class UpdateApiKeyRequest {
  @Nested(() => ApiKeyDto, { required: true }) apiKey: ApiKeyDto;
}

@ApiSchema({ name: 'Management.GetApiKeysResponse' })
export class GetApiKeysResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ApiKeyDto] }) apiKeys: ApiKeyDto[];
  @TotalCount() totalApiKeysCount: number | null;
}

@ApiSchema({ name: 'Management.InsertApiKeyResponse' })
export class InsertApiKeyResponse extends ApiResponseDto {
  @ApiProperty() apiKeyId: number;
  @ApiProperty({ description: 'The new key in plain text; shown only this once' }) apiKey: string;
}

@ApiSchema({ name: 'Management.UpdateApiKeyResponse' })
export class UpdateApiKeyResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteApiKeyResponse' })
export class DeleteApiKeyResponse extends ApiResponseDto {}
