import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteUserSettingResponse,
  GetUserSettingsResponse,
  InsertUserSettingRequest,
  InsertUserSettingResponse,
  UpdateUserSettingRequest,
  UpdateUserSettingResponse,
} from './users.dto';
import { UserSettingsService } from './user-settings.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

/** Users manage their own settings; administrators anyone's. */
@ApiTags('Users')
@Access('authenticated')
@Controller('v1/users/:userId/settings')
export class UserSettingsController {
  constructor(private readonly settings: UserSettingsService) {}

  @Get()
  @ApiOperation({ operationId: 'getUserSettings', summary: "Gets the user's settings." })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetUserSettingsResponse })
  list(
    @Param('userId') userId: string,
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetUserSettingsResponse>> {
    return this.settings.list(userId, options, principal);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertUserSetting', summary: 'Inserts a setting for the user.' })
  @ApiOkResponse({ type: InsertUserSettingResponse })
  @ApiErrors(ErrorCode.Duplicate)
  insert(
    @Param('userId') userId: string,
    @Body() request: InsertUserSettingRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<InsertUserSettingResponse>> {
    return this.settings.insert(userId, request.setting, principal);
  }

  @Put()
  @ApiOperation({ operationId: 'updateUserSetting', summary: 'Updates a setting of the user.' })
  @ApiOkResponse({ type: UpdateUserSettingResponse })
  update(
    @Param('userId') userId: string,
    @Body() request: UpdateUserSettingRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<UpdateUserSettingResponse>> {
    return this.settings.update(userId, request.setting, principal);
  }

  @Delete(':settingId')
  @ApiOperation({ operationId: 'deleteUserSetting', summary: 'Deletes a setting of the user.' })
  @ApiOkResponse({ type: DeleteUserSettingResponse })
  async delete(
    @Param('userId') userId: string,
    @Param('settingId', IntIdPipe) settingId: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<DeleteUserSettingResponse>> {
    await this.settings.delete(userId, settingId, principal);
    return EMPTY_PAYLOAD;
  }
}
