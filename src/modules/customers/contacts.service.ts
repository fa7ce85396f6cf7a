import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException } from '../../common/errors';
import { Payload } from '../../common/envelope';
import { QueryOptions, findPage, listPage } from '../../common/query';
import { ContactEntity } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { ContactDto, GetContactsResponse, InsertContactResponse } from './customers.dto';
import { applyContactInput, assertContactNamed } from './customers.input';
import { toContactDto } from './customers.mapper';
import { CONTACT_QUERY } from './customers.query';
import { CustomersService } from './customers.service';
import { assertRowExists } from '../../database/existing-rows';

@Injectable()
export class ContactsService {
  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    private readonly customers: CustomersService,
  ) {}

  /** Every contact, or only those of `customerId` (GET /v1/customers/{customerId}/contacts, 404 for an unknown customer). */
  async list(options: QueryOptions, customerId?: number): Promise<Payload<GetContactsResponse>> {
    // The contact lists embed nothing; naming a relation anyway gets a 400 (from listPage) rather than being ignored.
    const { items, total } = await listPage(CONTACT_QUERY, options, {
      read: async () => {
        const qb = this.contacts.createQueryBuilder('contact');
        if (customerId !== undefined) {
          await assertRowExists(this.contacts.manager, CustomerEntity, customerId, 'Customer');
          qb.where('contact.customerId = :customerId', { customerId });
        }
        return findPage(qb, 'contact', CONTACT_QUERY, options);
      },
      toDtos: (rows) => rows.map(toContactDto),
    });
    return { contacts: items, totalContactsCount: total };
  }

  async insert(input: ContactDto): Promise<Payload<InsertContactResponse>> {
    if (input.customerId === undefined || input.customerId === null) {
      throw ApiException.badRequest('contact.customerId is required: a contact belongs to a customer');
    }
    await this.customers.assertExists(input.customerId, 'contact.customerId');
    const contact = this.contacts.create({ customerId: input.customerId });
    applyContactInput(contact, input);
    assertContactNamed(contact);
    const saved = await this.contacts.save(contact);
    return { contactId: saved.id };
  }

  async update(input: ContactDto): Promise<void> {
    if (input.id === undefined || input.id === null)
      throw ApiException.badRequest('contact.id is required to update a contact');
    const contact = await this.contacts.findOneBy({ id: input.id });
    if (!contact) throw ApiException.notFound(`Contact ${input.id} does not exist`);
    if (input.customerId !== undefined && input.customerId !== null && input.customerId !== contact.customerId) {
      await this.customers.assertExists(input.customerId, 'contact.customerId');
      contact.customerId = input.customerId;
    }
    applyContactInput(contact, input);
    assertContactNamed(contact);
    await this.contacts.save(contact);
  }

  async delete(contactId: number): Promise<void> {
    const result = await this.contacts.delete({ id: contactId });
    if (!result.affected) throw ApiException.notFound(`Contact ${contactId} does not exist`);
  }
}
