import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { ContactsService } from './contacts.service';
import {
  DeleteCustomerResponse,
  GetCustomerContactsResponse,
  GetCustomersResponse,
  InsertCustomerRequest,
  InsertCustomerResponse,
  UpdateCustomerRequest,
  UpdateCustomerResponse,
} from './customers.dto';
import { CustomersService } from './customers.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Customers')
@Access('commerce')
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly contacts: ContactsService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getCustomers', summary: 'Retrieves a list of customers; include may name contacts.' })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetCustomersResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetCustomersResponse>> {
    return this.customers.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertCustomer',
    summary: 'Inserts a new customer (and its contacts); a code is generated when none is given.',
  })
  @ApiOkResponse({ type: InsertCustomerResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the customer code is taken' })
  insert(@Body() request: InsertCustomerRequest): Promise<Payload<InsertCustomerResponse>> {
    return this.customers.insert(request.customer);
  }

  @Put()
  @ApiOperation({
    operationId: 'updateCustomer',
    summary: 'Updates an existing customer; embedded contacts are ignored.',
  })
  @ApiOkResponse({ type: UpdateCustomerResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the customer code is taken' })
  async update(@Body() request: UpdateCustomerRequest): Promise<Payload<UpdateCustomerResponse>> {
    await this.customers.update(request.customer);
    return EMPTY_PAYLOAD;
  }

  @Delete(':customerId')
  @ApiOperation({
    operationId: 'deleteCustomer',
    summary: 'Deletes a customer with its contacts; refused (409) while orders or licenses point at it.',
  })
  @ApiOkResponse({ type: DeleteCustomerResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'orders, resold orders or licenses still point at the customer' })
  async delete(@Param('customerId', IntIdPipe) customerId: number): Promise<Payload<DeleteCustomerResponse>> {
    await this.customers.delete(customerId);
    return EMPTY_PAYLOAD;
  }

  @Get(':customerId/contacts')
  @ApiOperation({ operationId: 'getCustomerContacts', summary: 'Retrieves the contacts of a customer.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetCustomerContactsResponse })
  listContacts(
    @Param('customerId', IntIdPipe) customerId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetCustomerContactsResponse>> {
    return this.contacts.list(options, customerId);
  }
}
