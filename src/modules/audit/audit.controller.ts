import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { Payload } from '../../common/envelope';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { GetAuditEventsResponse } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('AuditEvents')
@Access('audit')
@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'getAuditEvents',
    summary:
      'Gets the audit trail: who changed what, when, from where; newest first. Filter on Action, EntityType, EntityId, ActorType, ActorId, CreatedAt.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetAuditEventsResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetAuditEventsResponse>> {
    return this.audit.list(options);
  }
}
