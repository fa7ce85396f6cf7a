import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { ApiException } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { assertRowExists } from '../../database/existing-rows';
import { CustomerEntity } from './customer.entity';
import { ContactDto, GetContactsResponse, InsertContactResponse } from './customers.dto';
import { applyContactInput, assertContactNamed } from './customers.input';
import { toContactDto } from './customers.mapper';
import { CONTACT_QUERY } from './customers.query';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';

@Injectable()
export class ContactsService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly repository: CustomersRepository,
    private readonly customers: CustomersService,
  ) {}

  /** Every contact, or only those of `customerId` (GET /v1/customers/{customerId}/contacts, 404 for an unknown customer). */
  async list(options: QueryOptions, customerId?: number): Promise<Payload<GetContactsResponse>> {
    // The contact lists embed nothing; naming a relation anyway gets a 400 (from listPage) rather than being ignored.
    const { items, total, nextCursor } = await listPage(CONTACT_QUERY, options, {
      read: async () => {
        if (customerId !== undefined)
          await assertRowExists(this.repository.manager, CustomerEntity, customerId, 'Customer');
        return this.repository.findContactPage(options, { customerId });
      },
      toDtos: (rows) => rows.map(toContactDto),
    });
    return { contacts: items, totalContactsCount: total, nextCursor };
  }

  async insert(input: ContactDto): Promise<Payload<InsertContactResponse>> {
    if (input.customerId === undefined || input.customerId === null) {
      throw ApiException.badRequest('contact.customerId is required: a contact belongs to a customer');
    }
    await this.customers.assertExists(input.customerId, 'contact.customerId');
    const contact = this.repository.newContact({ customerId: input.customerId });
    applyContactInput(contact, input);
    assertContactNamed(contact);
    const saved = await this.repository.saveContact(contact);
    return { contactId: saved.id };
  }

  async update(input: ContactDto): Promise<void> {
    if (input.id === undefined || input.id === null)
      throw ApiException.badRequest('contact.id is required to update a contact');
    const contact = await this.repository.findContactById(input.id);
    if (!contact) throw ApiException.notFound(`Contact ${input.id} does not exist`);
    if (input.customerId !== undefined && input.customerId !== null && input.customerId !== contact.customerId) {
      await this.customers.assertExists(input.customerId, 'contact.customerId');
      contact.customerId = input.customerId;
    }
    applyContactInput(contact, input);
    assertContactNamed(contact);
    await this.repository.saveContact(contact);
  }

  async delete(contactId: number): Promise<void> {
    const record = { action: 'contact.deleted', entityType: 'contact', entityId: contactId };
    if (!(await this.audit.recordIf(record, (manager) => this.repository.deleteContact(contactId, manager))))
      throw ApiException.notFound(`Contact ${contactId} does not exist`);
  }
}
