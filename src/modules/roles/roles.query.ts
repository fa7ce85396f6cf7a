import { defineQueryEntity } from '../../common/query';

export const ROLE_QUERY = defineQueryEntity({
  name: 'Role',
  fields: {
    id: { type: 'uuid' },
    name: { type: 'string' },
    description: { type: 'string' },
  },
});
