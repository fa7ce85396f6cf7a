import { defineQueryEntity } from '../../common/query';

export const API_KEY_QUERY = defineQueryEntity({
  name: 'ApiKey',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    key: { property: 'keyHint', type: 'string', filterable: false },
    createdDate: { type: 'date' },
    expireDate: { type: 'date' },
    ownerId: { type: 'uuid' },
    revoked: { type: 'boolean' },
    permissions: { type: 'number' },
    description: { type: 'string' },
  },
});
