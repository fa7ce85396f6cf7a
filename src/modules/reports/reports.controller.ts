import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { DeleteReportResponse, GetReportResponse } from './reports.dto';
import { ReportsService } from './reports.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';

@ApiTags('Reports')
@Access('operations')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getReports',
    summary: 'Gets reports based on the provided request parameters; include=properties embeds their name/value pairs.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetReportResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetReportResponse>> {
    return this.reports.list(options);
  }

  @Delete(':reportId')
  @ApiOperation({ operationId: 'deleteReport', summary: 'Deletes a report with the specified ID.' })
  @ApiOkResponse({ type: DeleteReportResponse })
  async delete(@Param('reportId', IntIdPipe) reportId: number): Promise<Payload<DeleteReportResponse>> {
    await this.reports.delete(reportId);
    return EMPTY_PAYLOAD;
  }
}
