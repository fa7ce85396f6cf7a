import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { QueryEntity, QueryRelation, defineQueryEntity } from '../../common/query';
import { ContactEntity } from './contact.entity';
import { toContactDto } from './customers.mapper';

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

/** Records embedded in a customer by `include`; each is loaded for a whole page in one query. */
export interface CustomerInclude {
  /** The whitelist of the embedded records, so filters can reach into them (`Contacts.Email == "…"`). */
  query: () => QueryEntity;
  /** Embedded DTOs keyed by customer id. */
  load: (manager: EntityManager, customerIds: number[]) => Promise<Map<number, unknown[]>>;
}

/**
 * What `include` may name on GET /v1/customers: one entry per relation. The name is the CustomerDto
 * member that receives the records and, when filters should reach them, a to-many relation property of
 * CustomerEntity.
 */
export const CUSTOMER_INCLUDES: Record<string, CustomerInclude> = {
  contacts: {
    query: () => CONTACT_QUERY,
    load: (manager, ids) => loadByCustomerId(manager, ContactEntity, ids, toContactDto),
  },
};

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
  relations: Object.fromEntries(
    Object.entries(CUSTOMER_INCLUDES).map(([name, include]): [string, QueryRelation] => [
      name,
      { property: name, target: include.query, many: true },
    ]),
  ),
});

/** Rows of `entity` whose customer_id is among `customerIds`, as DTOs grouped by customer, in id order. */
export async function loadByCustomerId<E extends ObjectLiteral & { customerId: number | null }, D>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  customerIds: number[],
  toDto: (row: E) => D,
): Promise<Map<number, D[]>> {
  const grouped = new Map<number, D[]>();
  if (customerIds.length === 0) return grouped;
  const rows = await manager
    .getRepository(entity)
    .createQueryBuilder('row')
    .where('row.customerId IN (:...customerIds)', { customerIds })
    .orderBy('row.id', 'ASC')
    .getMany();
  for (const row of rows) {
    if (row.customerId === null) continue;
    const list = grouped.get(row.customerId) ?? [];
    list.push(toDto(row));
    grouped.set(row.customerId, list);
  }
  return grouped;
}
