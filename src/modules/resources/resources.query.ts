import { defineQueryEntity } from '../../common/query';

export const RESOURCE_QUERY = defineQueryEntity({
  name: 'Resource',
  fields: {
    id: { type: 'number' },
    name: { type: 'string' },
    type: { type: 'string' },
    code: { type: 'string' },
    description: { type: 'string', sortable: false },
    source: { type: 'string' },
    // Selectable so a client may list every reference member; always answered as null.
    password: { property: 'passwordHash', type: 'string', filterable: false, sortable: false },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    data: { type: 'string', filterable: false, sortable: false },
    dataFormat: { type: 'string' },
    meta: { type: 'string', sortable: false },
    keyId: { type: 'string' },
  },
});
