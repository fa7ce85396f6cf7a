import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyDto } from './api-keys.dto';

/** The key itself and any client secret never leave the server after the insert call. */
export function toApiKeyDto(key: ApiKeyEntity): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    key: key.keyHint,
    clientSecret: null,
    createdDate: key.createdDate.toISOString(),
    expireDate: key.expireDate ? key.expireDate.toISOString() : null,
    ownerId: key.ownerId,
    revoked: key.revoked,
    permissions: key.permissions,
    description: key.description,
  };
}
