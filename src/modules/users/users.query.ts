import { defineQueryEntity } from '../../common/query';
import { API_KEY_QUERY } from '../api-keys/api-keys.query';
import { ROLE_QUERY } from '../roles/roles.query';

export const USER_SETTING_QUERY = defineQueryEntity({
  name: 'UserSetting',
  fields: {
    id: { type: 'number' },
    category: { type: 'string' },
    group: { type: 'string' },
    name: { type: 'string' },
    value: { type: 'string' },
    type: { type: 'string' },
    description: { type: 'string' },
    readOnly: { type: 'boolean' },
    userId: { type: 'uuid' },
  },
});

export const USER_QUERY = defineQueryEntity({
  name: 'User',
  fields: {
    id: { type: 'uuid' },
    userName: { type: 'string' },
    email: { type: 'string' },
    phoneNumber: { type: 'string' },
    title: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    department: { type: 'string' },
    birthDate: { type: 'date' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    lastDismissMessages: { type: 'date' },
    lastLogIn: { type: 'date' },
    rank: { type: 'number' },
    image: { type: 'string', filterable: false, sortable: false },
    address: { type: 'string' },
    postalCode: { type: 'string' },
    region: { type: 'string' },
    city: { type: 'string' },
    country: { type: 'string' },
    countryCode: { type: 'string' },
    mobile: { type: 'string' },
    notes: { type: 'string', sortable: false },
    customerId: { type: 'number' },
  },
  relations: {
    roles: { target: () => ROLE_QUERY, many: true },
    apiKeys: { target: () => API_KEY_QUERY, many: true },
    settings: { target: () => USER_SETTING_QUERY, many: true },
  },
});
