import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { GetSettingsResponse, UpdateSettingsRequest, UpdateSettingsResponse } from './settings.dto';
import { SettingsService } from './settings.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';

@ApiTags('Settings')
@Access('administration')
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getSettings',
    summary: 'Gets the application settings, optionally of one group (Application, Licensing, Email, Reporting).',
  })
  @ApiQuery({ name: 'group', required: false, type: String })
  @ApiOkResponse({ type: GetSettingsResponse })
  @ApiErrors({
    code: ErrorCode.ValidationFailed,
    when: 'group names no settings group',
    example: 'Unknown settings group "Foo"; groups are Application, Licensing, Email, Reporting',
  })
  list(@Query('group') group?: string): Promise<Payload<GetSettingsResponse>> {
    return this.settings.list(group);
  }

  @Put()
  @ApiOperation({
    operationId: 'updateSettings',
    summary: 'Updates application settings; each value is checked against its type and range, all or nothing.',
  })
  @ApiOkResponse({ type: UpdateSettingsResponse })
  async update(@Body() request: UpdateSettingsRequest): Promise<Payload<UpdateSettingsResponse>> {
    await this.settings.update(request.settings);
    return EMPTY_PAYLOAD;
  }
}
