import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { GetUserRolesResponse } from '../roles/roles.dto';
import {
  AddUserToRoleRequest,
  AddUserToRoleResponse,
  RemoveUserFromRoleRequest,
  RemoveUserFromRoleResponse,
} from './users.dto';
import { UserRolesService } from './user-roles.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Users')
@Access('administration')
@Controller('v1/users/:userId/roles')
export class UserRolesController {
  constructor(private readonly userRoles: UserRolesService) {}

  @Get()
  @Access('authenticated')
  @ApiOperation({
    operationId: 'getUserRoles',
    summary: "Gets the roles of the user (your own, or anyone's as an administrator).",
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetUserRolesResponse })
  list(
    @Param('userId') userId: string,
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetUserRolesResponse>> {
    return this.userRoles.list(userId, options, principal);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'addUserToRole',
    summary: 'Adds the user to one or more roles (comma-separated names).',
  })
  @ApiOkResponse({ type: AddUserToRoleResponse })
  async add(
    @Param('userId') userId: string,
    @Body() request: AddUserToRoleRequest,
  ): Promise<Payload<AddUserToRoleResponse>> {
    await this.userRoles.add(userId, request.roles);
    return EMPTY_PAYLOAD;
  }

  @Delete()
  @ApiOperation({
    operationId: 'removeUserFromRole',
    summary: 'Removes the user from one or more roles (comma-separated names).',
  })
  @ApiBody({ type: RemoveUserFromRoleRequest })
  @ApiOkResponse({ type: RemoveUserFromRoleResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'the last administrator would lose the role' })
  async remove(
    @Param('userId') userId: string,
    @Body() request: RemoveUserFromRoleRequest,
  ): Promise<Payload<RemoveUserFromRoleResponse>> {
    await this.userRoles.remove(userId, request.roles);
    return EMPTY_PAYLOAD;
  }
}
