import { QueryEntity } from '../../common/query';

export const API_KEY_QUERY: QueryEntity = {
  name: 'ApiKey',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    key: { property: 'keyHint', type: 'string', filterable: false },
    createdDate: { property: 'createdDate', type: 'date' },
    expireDate: { property: 'expireDate', type: 'date' },
    ownerId: { property: 'ownerId', type: 'uuid' },
    revoked: { property: 'revoked', type: 'boolean' },
    permissions: { property: 'permissions', type: 'number' },
    description: { property: 'description', type: 'string' },
  },
};
