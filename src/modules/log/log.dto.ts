import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Out } from '../../common/dto';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { LOG_LEVELS } from './log-level';

@ApiSchema({ name: 'Management.LogEntry' })
export class LogEntryDto {
  @Out({ type: 'integer', format: 'int64' }) id?: number;
  @Out({ description: 'The message with its template holes filled in' }) message?: string;
  @Out({
    description:
      'The template, e.g. "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms"',
  })
  messageTemplate?: string;
  @Out({ enum: [...LOG_LEVELS] }) level?: string;
  @Out({ type: String, format: 'date-time' }) timeStamp?: string;
  @Out({ type: String, nullable: true, description: 'Exception text of an error entry' }) exception?: string | null;
  @Out({
    type: String,
    nullable: true,
    description: "The entry's properties as a JSON object: route, principal, status, duration, …",
  })
  properties?: string | null;
}

@ApiSchema({ name: 'Management.GetLogResponse' })
export class GetLogResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LogEntryDto] }) logEntries: Partial<LogEntryDto>[];
  @TotalCount() totalLogEntriesCount: number | null;
}

@ApiSchema({ name: 'Management.LogLevelEntry' })
export class LogLevelEntryDto {
  @Out({ type: String, format: 'date-time', description: 'Start of the bucket (UTC)' }) date: string;
  @Out({ enum: [...LOG_LEVELS] }) level: string;
  @Out({ type: 'integer' }) count: number;
}

export const LOG_GROUP_BY = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type LogGroupBy = (typeof LOG_GROUP_BY)[number];

@ApiSchema({ name: 'Management.GetLogLevelsResponse' })
export class GetLogLevelsResponse extends ApiResponseDto {
  @ApiProperty({
    type: [LogLevelEntryDto],
    description: 'Entries per level per bucket; buckets without entries are left out',
  })
  logLevels: LogLevelEntryDto[];
  @ApiProperty({ enum: [...LOG_GROUP_BY], description: 'The bucket size chosen from the range and intervals' })
  groupBy: LogGroupBy;
  @ApiProperty({ description: 'Number of items in logLevels' }) totalLogLevelEntriesCount: number;
}

@ApiSchema({ name: 'Management.DeleteLogResponse' })
export class DeleteLogResponse extends ApiResponseDto {
  @ApiProperty({ example: 10 }) deletedLogCount: number;
}
