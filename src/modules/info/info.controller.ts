import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../../common/auth';
import { GetDashboardResponse, GetServerInfoResponse } from './info.dto';
import { InfoService } from './info.service';
import { Payload } from '../../common/envelope';

@ApiTags('Info')
@Access('authenticated')
@Controller('v1/info')
export class InfoController {
  constructor(private readonly info: InfoService) {}

  @Get()
  @ApiOperation({
    operationId: 'getServerInfo',
    summary: 'Gets the server information: version, time, your address, license and token counts.',
  })
  @ApiOkResponse({ type: GetServerInfoResponse })
  get(@Req() request: FastifyRequest): Promise<Payload<GetServerInfoResponse>> {
    return this.info.get(request.ip);
  }

  @Get('dashboard')
  @Access('licenses', 'read')
  @ApiOperation({
    operationId: 'getDashboard',
    summary:
      "The console's dashboard: licenses per mode and state, activations and seats in use, activations per day over 30 days, licenses expiring within 30 days.",
  })
  @ApiOkResponse({ type: GetDashboardResponse })
  dashboard(): Promise<Payload<GetDashboardResponse>> {
    return this.info.dashboard();
  }
}
