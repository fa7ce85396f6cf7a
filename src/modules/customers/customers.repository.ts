import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ContactEntity } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { CONTACT_QUERY, CUSTOMER_QUERY } from './customers.query';

/** The queries of the customer aggregate: customers and the contacts they own. */
@Injectable()
export class CustomersRepository {
  constructor(
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
  ) {}

  /** The manager of the default connection, for the shared checks that take one (assertRowExists). */
  get manager(): EntityManager {
    return this.customers.manager;
  }

  findPage(options: PageOptions): Promise<Page<CustomerEntity>> {
    return findPage(this.customers.createQueryBuilder('customer'), 'customer', CUSTOMER_QUERY, options);
  }

  findByIds(customerIds: number[]): Promise<CustomerEntity[]> {
    return this.customers.find({ where: { id: In(customerIds) } });
  }

  findById(customerId: number): Promise<CustomerEntity | null> {
    return this.customers.findOneBy({ id: customerId });
  }

  exists(customerId: number, manager: EntityManager = this.customers.manager): Promise<boolean> {
    return manager.existsBy(CustomerEntity, { id: customerId });
  }

  /** The id of the customer whose code equals `code` without regard to case. */
  async findIdByCode(code: string): Promise<number | undefined> {
    const holder = await this.customers
      .createQueryBuilder('customer')
      .select('customer.id')
      .where('lower(customer.code) = lower(:code)', { code })
      .getOne();
    return holder?.id;
  }

  /** Stores a new customer and its contacts (their customerId is set here) in the caller's transaction. */
  async insertWithContacts(
    manager: EntityManager,
    { customer, contacts }: { customer: Partial<CustomerEntity>; contacts: ContactEntity[] },
  ): Promise<CustomerEntity> {
    const saved = await manager.save(CustomerEntity, { ...customer });
    for (const contact of contacts) contact.customerId = saved.id;
    if (contacts.length) await manager.save(ContactEntity, contacts);
    return saved;
  }

  save(customer: CustomerEntity): Promise<CustomerEntity> {
    return this.customers.save(customer);
  }

  /** Takes the customer's row lock until the transaction ends; false when there is no such customer. */
  async lockById(manager: EntityManager, customerId: number): Promise<boolean> {
    const locked: unknown[] = await manager.query('SELECT id FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
    return locked.length > 0;
  }

  /** Its contacts go with it (ON DELETE CASCADE). */
  async delete(manager: EntityManager, customerId: number): Promise<void> {
    await manager.delete(CustomerEntity, { id: customerId });
  }

  findContactPage(options: PageOptions, scope: { customerId?: number } = {}): Promise<Page<ContactEntity>> {
    const qb = this.contacts.createQueryBuilder('contact');
    if (scope.customerId !== undefined) qb.where('contact.customerId = :customerId', { customerId: scope.customerId });
    return findPage(qb, 'contact', CONTACT_QUERY, options);
  }

  /** The contacts of these customers, in id order. */
  findContactsOfCustomers(customerIds: number[]): Promise<ContactEntity[]> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return this.contacts.find({ where: { customerId: In(customerIds) }, order: { id: 'ASC' } });
  }

  findContactById(contactId: number): Promise<ContactEntity | null> {
    return this.contacts.findOneBy({ id: contactId });
  }

  newContact(values: Partial<ContactEntity>): ContactEntity {
    return this.contacts.create(values);
  }

  saveContact(contact: ContactEntity): Promise<ContactEntity> {
    return this.contacts.save(contact);
  }

  /** False when there was no such contact. */
  async deleteContact(contactId: number, manager: EntityManager = this.contacts.manager): Promise<boolean> {
    const result = await manager.delete(ContactEntity, { id: contactId });
    return Boolean(result.affected);
  }
}
