import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  NestedArray,
  OptionalBoolean,
  OptionalDate,
  OptionalInt,
  OptionalNumber,
  OptionalString,
  OptionalReference,
} from '../../common/dto';

/**
 * Emails are free text here, as in the reference (whose example sends "string"): a contact's address
 * may be written "Sales <sales@acme.test>" or left as a note.
 */
@ApiSchema({ name: 'Management.Contact' })
export class ContactDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(64) title?: string | null;
  @OptionalString(128) firstName?: string | null;
  @OptionalString(128) lastName?: string | null;
  @OptionalString(256) email?: string | null;
  @OptionalString(64) phone?: string | null;
  @OptionalString(64) mobile?: string | null;
  @OptionalString(64) fax?: string | null;
  @OptionalString(65536) details?: string | null;
  @OptionalBoolean('Whether the contact receives license notifications') notify?: boolean | null;
  @OptionalReference(
    'The customer the contact belongs to; required by insert. Set by the server inside a customer insert',
  )
  customerId?: number | null;
  @OptionalString(65536) meta?: string | null;
}

@ApiSchema({ name: 'Management.Customer' })
export class CustomerDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(64) title?: string | null;
  @OptionalString(128) firstName?: string | null;
  @OptionalString(128) lastName?: string | null;
  @OptionalString(256) company?: string | null;
  @OptionalString(
    64,
    'Unique (without regard to case). Generated from setting Licensing.CustomerCodeFormat when omitted on insert.',
  )
  code?: string | null;
  @OptionalString(64) vatCode?: string | null;
  @OptionalString(64) invoiceCode?: string | null;
  @OptionalInt() rating?: number | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalDate('Set by the server') updatedAt?: string | null;
  @OptionalString(512) address?: string | null;
  @OptionalString(512) address1?: string | null;
  @OptionalString(512) address2?: string | null;
  @OptionalString(32) postalCode?: string | null;
  @OptionalString(128) region?: string | null;
  @OptionalString(128) city?: string | null;
  @OptionalString(128) country?: string | null;
  @OptionalString(8) countryCode?: string | null;
  @OptionalString(128) mapCoordinates?: string | null;
  @OptionalNumber() mapZoomLevel?: number | null;
  @OptionalString(256) email?: string | null;
  @OptionalString(64) phone?: string | null;
  @OptionalString(64) mobile?: string | null;
  @OptionalString(64) fax?: string | null;
  @OptionalString(512) website?: string | null;
  @OptionalString(65536) notes?: string | null;
  @OptionalBoolean() isReseller?: boolean | null;
  @OptionalString(10_000_000, 'Text, e.g. a data: URL') image?: string | null;
  @OptionalString(65536) meta?: string | null;
  @NestedArray(
    () => ContactDto,
    'Embedded on read when include names contacts. On insert they are created with the customer; on update they are ignored (use /v1/contacts).',
  )
  contacts?: ContactDto[] | null;
}

@ApiSchema({ name: 'Management.InsertCustomerRequest' })
export class InsertCustomerRequest {
  @Nested(() => CustomerDto, { required: true }) customer: CustomerDto;
}

@ApiSchema({ name: 'Management.UpdateCustomerRequest' })
export class UpdateCustomerRequest {
  @Nested(() => CustomerDto, { required: true }) customer: CustomerDto;
}

@ApiSchema({ name: 'Management.GetCustomersResponse' })
export class GetCustomersResponse extends ApiListResponseDto {
  @ApiProperty({ type: [CustomerDto] }) customers: CustomerDto[];
  @TotalCount() totalCustomersCount: number | null;
}

@ApiSchema({ name: 'Management.InsertCustomerResponse' })
export class InsertCustomerResponse extends ApiResponseDto {
  @ApiProperty() customerId: number;
  @ApiProperty({ description: 'The code given, or the one generated' }) customerCode: string;
}

@ApiSchema({ name: 'Management.UpdateCustomerResponse' })
export class UpdateCustomerResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteCustomerResponse' })
export class DeleteCustomerResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.GetCustomerContactsResponse' })
export class GetCustomerContactsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ContactDto] }) contacts: ContactDto[];
  @TotalCount() totalContactsCount: number | null;
}

@ApiSchema({ name: 'Management.GetContactsResponse' })
export class GetContactsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ContactDto] }) contacts: ContactDto[];
  @TotalCount() totalContactsCount: number | null;
}

@ApiSchema({ name: 'Management.InsertContactRequest' })
export class InsertContactRequest {
  @Nested(() => ContactDto, { required: true }) contact: ContactDto;
}

@ApiSchema({ name: 'Management.UpdateContactRequest' })
export class UpdateContactRequest {
  @Nested(() => ContactDto, { required: true }) contact: ContactDto;
}

@ApiSchema({ name: 'Management.InsertContactResponse' })
export class InsertContactResponse extends ApiResponseDto {
  @ApiProperty() contactId: number;
}

@ApiSchema({ name: 'Management.UpdateContactResponse' })
export class UpdateContactResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteContactResponse' })
export class DeleteContactResponse extends ApiResponseDto {}
