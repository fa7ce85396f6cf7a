import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { GetRolesResponse } from './roles.dto';
import { RolesService } from './roles.service';
import { Payload } from '../../common/envelope';

@ApiTags('Roles')
@Access('administration')
@Controller('v1/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @ApiOperation({ operationId: 'getRoles', summary: 'Gets the roles.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetRolesResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetRolesResponse>> {
    return this.roles.list(options);
  }
}
