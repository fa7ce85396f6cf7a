import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { ContactsService } from './contacts.service';
import {
  DeleteContactResponse,
  GetContactsResponse,
  InsertContactRequest,
  InsertContactResponse,
  UpdateContactRequest,
  UpdateContactResponse,
} from './customers.dto';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Contacts')
@Access('commerce')
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiOperation({ operationId: 'getContacts', summary: 'Retrieves a list of contacts.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetContactsResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetContactsResponse>> {
    return this.contacts.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertContact', summary: 'Inserts a new contact of an existing customer.' })
  @ApiOkResponse({ type: InsertContactResponse })
  insert(@Body() request: InsertContactRequest): Promise<Payload<InsertContactResponse>> {
    return this.contacts.insert(request.contact);
  }

  @Put()
  @ApiOperation({ operationId: 'updateContact', summary: 'Updates an existing contact.' })
  @ApiOkResponse({ type: UpdateContactResponse })
  async update(@Body() request: UpdateContactRequest): Promise<Payload<UpdateContactResponse>> {
    await this.contacts.update(request.contact);
    return EMPTY_PAYLOAD;
  }

  @Delete(':contactId')
  @ApiOperation({ operationId: 'deleteContact', summary: 'Deletes a contact.' })
  @ApiOkResponse({ type: DeleteContactResponse })
  async delete(@Param('contactId', IntIdPipe) contactId: number): Promise<Payload<DeleteContactResponse>> {
    await this.contacts.delete(contactId);
    return EMPTY_PAYLOAD;
  }
}
