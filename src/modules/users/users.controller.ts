import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
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
  list(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @Query('roles') roles?: string,
  ): Promise<Payload<GetUsersResponse>> {
    return this.users.list(options, roles);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertUser', summary: 'Inserts a new user with a password and roles.' })
  @ApiOkResponse({ type: InsertUserResponse })
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
  async delete(
    @Param('userId') userId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<DeleteUserResponse>> {
    await this.users.delete(userId, principal);
    return EMPTY_PAYLOAD;
  }
}
