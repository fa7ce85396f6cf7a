import { Controller, Delete, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { DeleteLogResponse, GetLogLevelsResponse, GetLogResponse } from './log.dto';
import { DeleteLogQuery, LogLevelsQuery, LogRangeQuery, LogService } from './log.service';
import { Payload } from '../../common/envelope';

const START_DATE = ApiQuery({
  name: 'startDate',
  required: false,
  type: String,
  format: 'date-time',
  description: 'Entries at or after this instant (ISO-8601, UTC when no offset)',
});
const END_DATE = ApiQuery({
  name: 'endDate',
  required: false,
  type: String,
  format: 'date-time',
  description: 'Entries at or before this instant',
});

@ApiTags('Log')
@Access('operations')
@Controller('v1/log')
export class LogController {
  constructor(private readonly log: LogService) {}

  @Get()
  @ApiOperation({
    operationId: 'getLog',
    summary: 'Gets the log entries based on the provided request; newest first unless sort says otherwise.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @START_DATE
  @END_DATE
  @ApiOkResponse({ type: GetLogResponse })
  @ApiErrors({
    code: ErrorCode.InvalidQueryOption,
    when: 'startDate or endDate is no date, or startDate is after endDate',
    example: 'startDate must not be after endDate',
    exampleName: 'InvalidDateRange',
  })
  list(@Query(QueryOptionsPipe) options: QueryOptions & LogRangeQuery): Promise<Payload<GetLogResponse>> {
    return this.log.list(options, options);
  }

  @Get('levels')
  @ApiOperation({
    operationId: 'getLogLevels',
    summary:
      'Gets the number of log entries per level per interval for the specified date range (default: the last 24 hours).',
  })
  @START_DATE
  @END_DATE
  @ApiQuery({
    name: 'intervals',
    required: false,
    type: 'integer',
    description:
      'About how many buckets to divide the range into (1-1000, default 24); the bucket size (minute, hour, day, week, month) nearest to range/intervals is answered as groupBy',
  })
  @ApiOkResponse({ type: GetLogLevelsResponse })
  @ApiErrors({
    code: ErrorCode.InvalidQueryOption,
    when: 'startDate, endDate or intervals is malformed, or startDate is after endDate',
    example: 'startDate must not be after endDate',
    exampleName: 'InvalidDateRange',
  })
  levels(@Query() query: LogLevelsQuery): Promise<Payload<GetLogLevelsResponse>> {
    return this.log.levels(query);
  }

  @Delete()
  @ApiOperation({
    operationId: 'deleteLog',
    summary: 'Deletes the log entries matching id, filter and/or the date range, or all of them with deleteAll=true.',
  })
  @ApiQuery({ name: 'id', required: false, type: 'integer' })
  @ApiQuery({ name: 'filter', required: false, type: String, description: 'e.g. Level == "Warning"' })
  @START_DATE
  @END_DATE
  @ApiQuery({ name: 'deleteAll', required: false, type: Boolean })
  @ApiOkResponse({ type: DeleteLogResponse })
  @ApiErrors(
    { code: ErrorCode.MissingParameter, when: 'none of id, filter, startDate, endDate or deleteAll is given' },
    { code: ErrorCode.NotFound, when: 'no log entry has the id', example: 'Log entry 4711 does not exist' },
    {
      code: ErrorCode.InvalidQueryOption,
      when: 'startDate or endDate is no date, or startDate is after endDate',
      example: 'startDate must not be after endDate',
      exampleName: 'InvalidDateRange',
    },
  )
  delete(@Query() query: DeleteLogQuery): Promise<Payload<DeleteLogResponse>> {
    return this.log.delete(query);
  }
}
