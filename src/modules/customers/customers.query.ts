import { QueryEntity, defineQueryEntity } from '../../common/query';

export const CONTACT_QUERY = defineQueryEntity({
  name: 'Contact',
  fields: {
    id: { type: 'number' },
    title: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    mobile: { type: 'string' },
    fax: { type: 'string' },
    details: { type: 'string', sortable: false },
    notify: { type: 'boolean' },
    customerId: { type: 'number' },
    meta: { type: 'string', sortable: false },
  },
  relations: {
    // For filters and sorts such as `Customer.Company == "Acme"`; the contact lists have no include.
    customer: { target: () => CUSTOMER_QUERY, many: false, includable: false },
  },
});

export const CUSTOMER_QUERY: QueryEntity = defineQueryEntity({
  name: 'Customer',
  fields: {
    id: { type: 'number' },
    title: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    company: { type: 'string' },
    code: { type: 'string' },
    vatCode: { type: 'string' },
    invoiceCode: { type: 'string' },
    rating: { type: 'number' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    address: { type: 'string' },
    address1: { type: 'string' },
    address2: { type: 'string' },
    postalCode: { type: 'string' },
    region: { type: 'string' },
    city: { type: 'string' },
    country: { type: 'string' },
    countryCode: { type: 'string' },
    mapCoordinates: { type: 'string' },
    mapZoomLevel: { type: 'decimal' },
    email: { type: 'string' },
    phone: { type: 'string' },
    mobile: { type: 'string' },
    fax: { type: 'string' },
    website: { type: 'string' },
    notes: { type: 'string', sortable: false },
    isReseller: { type: 'boolean' },
    image: { type: 'string', filterable: false, sortable: false },
    meta: { type: 'string', sortable: false },
  },
  relations: {
    // What `include` may name on GET /v1/customers; filters reach into it too (`Contacts.Email == "…"`).
    contacts: { property: 'contacts', target: () => CONTACT_QUERY, many: true },
  },
});
