import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { generateKey } from '../../common/key-format';
import { QueryOptions, listPage, parseInclude } from '../../common/query';
import { Referrer, assertNotReferenced, isUniqueViolation } from '../../database/referencing-rows';
import { SettingsService } from '../settings/settings.service';
import { ContactEntity } from './contact.entity';
import { CustomerEntity } from './customer.entity';
import { CustomerDto, GetCustomersResponse, InsertCustomerResponse } from './customers.dto';
import {
  applyContactInput,
  applyCustomerInput,
  assertContactNamed,
  assertCustomerNamed,
  givenCode,
} from './customers.input';
import { toContactDto, toCustomerDto } from './customers.mapper';
import { CUSTOMER_QUERY } from './customers.query';
import { CustomersRepository } from './customers.repository';

const CODE_INDEX = 'customers_code_unique';
/** A collision needs two equal random codes; several in a row mean the format is far too narrow. */
const MAX_CODE_ATTEMPTS = 5;

/** Business records that must not vanish with their customer. */
const CUSTOMER_REFERRERS: Referrer[] = [
  { table: 'orders', column: 'customer_id', noun: 'order' },
  { table: 'licenses', column: 'customer_id', noun: 'license' },
  { table: 'orders', column: 'reseller_id', noun: 'resold order' },
];

@Injectable()
export class CustomersService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly customers: CustomersRepository,
    private readonly settings: SettingsService,
    private readonly dataSource: DataSource,
  ) {}

  async list(options: QueryOptions): Promise<Payload<GetCustomersResponse>> {
    const { items, total, nextCursor } = await listPage(CUSTOMER_QUERY, options, {
      read: () => this.customers.findPage(options),
      toDtos: (rows, include) => this.toDtos(rows, include),
    });
    return { customers: items, totalCustomersCount: total, nextCursor };
  }

  /** Customers as DTOs by id, with the named includes: for modules that embed a customer (orders, licenses). */
  async findDtosByIds(customerIds: number[], include: string[] = []): Promise<Map<number, CustomerDto>> {
    const unique = [...new Set(customerIds)];
    if (unique.length === 0) return new Map();
    const customers = await this.customers.findByIds(unique);
    const dtos = await this.toDtos(customers, parseInclude(CUSTOMER_QUERY, include.join(',')));
    return new Map(dtos.map((dto) => [dto.id!, dto]));
  }

  /** 400 naming `field` when the customer does not exist, for records that point at one. */
  async assertExists(customerId: number, field: string, manager?: EntityManager): Promise<void> {
    if (!(await this.customers.exists(customerId, manager))) {
      throw ApiException.badRequest(`${field}: customer ${customerId} does not exist`, ErrorCode.InvalidReference);
    }
  }

  async insert(input: CustomerDto): Promise<Payload<InsertCustomerResponse>> {
    const draft = new CustomerEntity();
    applyCustomerInput(draft, input);
    assertCustomerNamed(draft);
    const contacts = (input.contacts ?? []).map((contactInput, index) => {
      const contact = new ContactEntity();
      applyContactInput(contact, contactInput);
      assertContactNamed(contact, `customer.contacts[${index}]`);
      return contact;
    });
    const code = givenCode(input.code);
    if (code) await this.assertCodeFree(code);
    const format = code ? undefined : await this.settings.get<string>('Licensing.CustomerCodeFormat');

    for (let attempt = 1; ; attempt++) {
      draft.code = code ?? generateKey(format!);
      try {
        const saved = await this.dataSource.transaction((manager) =>
          this.customers.insertWithContacts(manager, { customer: draft, contacts }),
        );
        return { customerId: saved.id, customerCode: saved.code };
      } catch (error) {
        if (!isUniqueViolation(error, CODE_INDEX)) throw error;
        if (code) throw this.duplicateCode(code);
        if (attempt >= MAX_CODE_ATTEMPTS) {
          throw ApiException.conflict(
            `No unused customer code found in ${MAX_CODE_ATTEMPTS} attempts with format "${format}"; give setting Licensing.CustomerCodeFormat more random characters`,
            ErrorCode.Duplicate,
          );
        }
      }
    }
  }

  async update(input: CustomerDto): Promise<void> {
    if (input.id === undefined || input.id === null)
      throw ApiException.badRequest('customer.id is required to update a customer');
    const customer = await this.customers.findById(input.id);
    if (!customer) throw ApiException.notFound(`Customer ${input.id} does not exist`);
    if (input.code !== undefined && input.code !== null) {
      const code = givenCode(input.code);
      if (!code) throw ApiException.badRequest('customer.code cannot be blank; omit it to keep the current code');
      if (code.toLowerCase() !== customer.code.toLowerCase()) await this.assertCodeFree(code);
      customer.code = code;
    }
    applyCustomerInput(customer, input);
    assertCustomerNamed(customer);
    try {
      await this.customers.save(customer);
    } catch (error) {
      if (isUniqueViolation(error, CODE_INDEX)) throw this.duplicateCode(customer.code);
      throw error;
    }
  }

  /**
   * Contacts go with the customer and users keep their account (their customer link is cleared);
   * orders and licenses block the delete. The row lock makes a concurrent order insert wait for this
   * transaction and then fail its foreign key, instead of slipping in between count and delete.
   */
  async delete(customerId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.customers.lockById(manager, customerId)))
        throw ApiException.notFound(`Customer ${customerId} does not exist`);
      await assertNotReferenced(
        manager,
        `customer ${customerId}`,
        customerId,
        CUSTOMER_REFERRERS,
        'delete or reassign them first',
      );
      await this.customers.delete(manager, customerId);
      await this.audit.record(manager, { action: 'customer.deleted', entityType: 'customer', entityId: customerId });
    });
  }

  private async toDtos(customers: CustomerEntity[], include: string[]): Promise<CustomerDto[]> {
    const contacts = include.includes('contacts')
      ? await this.customers.findContactsOfCustomers(customers.map((customer) => customer.id))
      : undefined;
    const contactsByCustomer = new Map<number, ContactEntity[]>();
    for (const contact of contacts ?? []) {
      contactsByCustomer.set(contact.customerId, [...(contactsByCustomer.get(contact.customerId) ?? []), contact]);
    }
    return customers.map((customer) => {
      const dto = toCustomerDto(customer);
      if (contacts) dto.contacts = (contactsByCustomer.get(customer.id) ?? []).map(toContactDto);
      return dto;
    });
  }

  private async assertCodeFree(code: string): Promise<void> {
    const holderId = await this.customers.findIdByCode(code);
    if (holderId !== undefined) throw this.duplicateCode(code, holderId);
  }

  private duplicateCode(code: string, holderId?: number): ApiException {
    const holder = holderId ? ` by customer ${holderId}` : '';
    return ApiException.conflict(
      `customer.code "${code}" is already used${holder}; choose another or omit it to have one generated`,
      ErrorCode.Duplicate,
    );
  }
}
