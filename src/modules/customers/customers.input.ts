import { copyPresent } from '../../common/dto';
import { ApiException } from '../../common/errors';
import { ContactEntity } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { ContactDto, CustomerDto } from './customers.dto';

/** Members a client writes as given; `id`, `code`, dates, `customerId` and embedded lists have their own rules. */
const CUSTOMER_FIELDS = [
  'title',
  'firstName',
  'lastName',
  'company',
  'vatCode',
  'invoiceCode',
  'rating',
  'address',
  'address1',
  'address2',
  'postalCode',
  'region',
  'city',
  'country',
  'countryCode',
  'mapCoordinates',
  'mapZoomLevel',
  'email',
  'phone',
  'mobile',
  'fax',
  'website',
  'notes',
  'image',
  'meta',
] as const satisfies ReadonlyArray<keyof CustomerDto & keyof CustomerEntity>;

const CONTACT_FIELDS = [
  'title',
  'firstName',
  'lastName',
  'email',
  'phone',
  'mobile',
  'fax',
  'details',
  'meta',
] as const satisfies ReadonlyArray<keyof ContactDto & keyof ContactEntity>;

/** Copies the members present in `input`; null clears a member, an absent one keeps its value. */
export function applyCustomerInput(customer: CustomerEntity, input: CustomerDto): void {
  copyPresent(customer, input, CUSTOMER_FIELDS);
  // A flag cannot be "unknown": null keeps the current value rather than failing the NOT NULL column.
  copyPresent(customer, input, ['isReseller'], { nullKeeps: true });
}

export function applyContactInput(contact: ContactEntity, input: ContactDto): void {
  copyPresent(contact, input, CONTACT_FIELDS);
  copyPresent(contact, input, ['notify'], { nullKeeps: true });
}

const hasText = (value: string | null | undefined) => typeof value === 'string' && value.trim().length > 0;

/** A customer must be identifiable in lists and on licenses. */
export function assertCustomerNamed(
  customer: Pick<CustomerEntity, 'company' | 'firstName' | 'lastName'>,
  label = 'customer',
): void {
  if (!hasText(customer.company) && !hasText(customer.firstName) && !hasText(customer.lastName)) {
    throw ApiException.badRequest(`${label} needs a company, firstName or lastName`);
  }
}

export function assertContactNamed(
  contact: Pick<ContactEntity, 'firstName' | 'lastName' | 'email'>,
  label = 'contact',
): void {
  if (!hasText(contact.firstName) && !hasText(contact.lastName) && !hasText(contact.email)) {
    throw ApiException.badRequest(`${label} needs a firstName, lastName or email`);
  }
}

/** Trimmed code, or undefined when none was given (absent, null or blank). */
export function givenCode(code: string | null | undefined): string | undefined {
  const trimmed = code?.trim();
  return trimmed ? trimmed : undefined;
}
