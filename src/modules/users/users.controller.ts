import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteUserResponse,
  GetUsersResponse,
  InsertUserRequest,
  InsertUserResponse,
  UpdateUserRequest,
  UpdateUserResponse,
} from './users.dto';
import { UsersService } from './users.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Users')
@Access('administration')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'getUsers', summary: 'Gets the users; include may name roles, apiKeys, settings.' })
  @ApiQueryOptions()
  @ApiQuery({
    name: 'roles',
    required: false,
    type: String,
    description: 'Only users in one of these roles (comma-separated names)',
  })
  @ApiOkResponse({ type: GetUsersResponse })
  @ApiErrors({
    code: ErrorCode.InvalidReference,
    when: 'roles names an unknown role',
    example: 'Unknown role "Foo"; roles are Administrator, LicenseManager, Sales, Customer, Application',
  })
  list(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @Query('roles') roles?: string,
  ): Promise<Payload<GetUsersResponse>> {
    return this.users.list(options, roles);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertUser', summary: 'Inserts a new user with a password and roles.' })
  @ApiOkResponse({ type: InsertUserResponse })
  @ApiErrors(ErrorCode.Duplicate, ErrorCode.ServerBusy)
  insert(@Body() request: InsertUserRequest): Promise<Payload<InsertUserResponse>> {
    return this.users.insert(request);
  }

  @Put()
  @Access('authenticated')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Updates a user. Users may update their own profile and password (with currentPassword).',
  })
  @ApiOkResponse({ type: UpdateUserResponse })
  @ApiErrors(ErrorCode.PasswordChangeRequiresCurrentPassword, ErrorCode.Duplicate, ErrorCode.ServerBusy, {
    code: ErrorCode.InUse,
    when: 'the last administrator would lose the role',
  })
  async update(
    @Body() request: UpdateUserRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<UpdateUserResponse>> {
    await this.users.update(request, principal);
    return EMPTY_PAYLOAD;
  }

  @Delete(':userId')
  @ApiOperation({
    operationId: 'deleteUser',
    summary: 'Deletes the user with the specified ID, with their API keys and settings.',
  })
  @ApiOkResponse({ type: DeleteUserResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'it is your own account or the last administrator' })
  async delete(
    @Param('userId') userId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<DeleteUserResponse>> {
    await this.users.delete(userId, principal);
    return EMPTY_PAYLOAD;
  }
}
