import { defineQueryEntity } from '../../common/query';

export const RESOURCE_QUERY = defineQueryEntity({
  name: 'Resource',
  fields: {
    id: { property: 'id', type: 'number' },
    name: { property: 'name', type: 'string' },
    type: { property: 'type', type: 'string' },
    code: { property: 'code', type: 'string' },
    description: { property: 'description', type: 'string', sortable: false },
    source: { property: 'source', type: 'string' },
    // Selectable so a client may list every reference member; always answered as null.
    password: { property: 'passwordHash', type: 'string', filterable: false, sortable: false },
    createdAt: { property: 'createdAt', type: 'date' },
    updatedAt: { property: 'updatedAt', type: 'date' },
    data: { property: 'data', type: 'string', filterable: false, sortable: false },
    dataFormat: { property: 'dataFormat', type: 'string' },
    meta: { property: 'meta', type: 'string', sortable: false },
    keyId: { property: 'keyId', type: 'string' },
  },
});
