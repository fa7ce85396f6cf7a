import { ResourceEntity } from './resource.entity';
import { ResourceDto } from './resources.dto';

/** Never the password (nor its hash) and never private key material: `data` of a signature key is its public key. */
export function toResourceDto(resource: ResourceEntity): ResourceDto {
  return {
    id: resource.id,
    name: resource.name,
    type: resource.type,
    code: resource.code,
    description: resource.description,
    source: resource.source,
    password: null,
    createdAt: resource.createdAt.toISOString(),
    updatedAt: resource.updatedAt.toISOString(),
    data: resource.data,
    dataFormat: resource.dataFormat,
    meta: resource.meta,
    keyId: resource.keyId,
  };
}
