import { ContactEntity } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { ContactDto, CustomerDto } from './customers.dto';

export function toContactDto(contact: ContactEntity): ContactDto {
  return {
    id: contact.id,
    title: contact.title,
    firstName: contact.firstName,
    lastName: contact.lastName,
    email: contact.email,
    phone: contact.phone,
    mobile: contact.mobile,
    fax: contact.fax,
    details: contact.details,
    notify: contact.notify,
    customerId: contact.customerId,
    meta: contact.meta,
  };
}

/** `contacts` (and any other include) is added by the caller only when it was asked for. */
export function toCustomerDto(customer: CustomerEntity): CustomerDto {
  return {
    id: customer.id,
    title: customer.title,
    firstName: customer.firstName,
    lastName: customer.lastName,
    company: customer.company,
    code: customer.code,
    vatCode: customer.vatCode,
    invoiceCode: customer.invoiceCode,
    rating: customer.rating,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
    address: customer.address,
    address1: customer.address1,
    address2: customer.address2,
    postalCode: customer.postalCode,
    region: customer.region,
    city: customer.city,
    country: customer.country,
    countryCode: customer.countryCode,
    mapCoordinates: customer.mapCoordinates,
    mapZoomLevel: customer.mapZoomLevel,
    email: customer.email,
    phone: customer.phone,
    mobile: customer.mobile,
    fax: customer.fax,
    website: customer.website,
    notes: customer.notes,
    isReseller: customer.isReseller,
    image: customer.image,
    meta: customer.meta,
  };
}
