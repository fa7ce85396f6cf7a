import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Out } from '../../common/dto';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';

@ApiSchema({ name: 'Management.ReportProperty' })
export class ReportPropertyDto {
  @Out({ type: 'integer' }) id: number;
  @Out() name: string;
  @Out({ type: String, nullable: true }) value: string | null;
  @Out({ type: 'integer' }) reportId: number;
}

@ApiSchema({ name: 'Management.Report' })
export class ReportDto {
  @Out({ type: 'integer' }) id?: number;
  @Out({ format: 'uuid' }) uid?: string;
  @Out({ description: 'Kind of report, e.g. ExceptionReport or LicenseReport' }) name?: string;
  @Out({ type: String, nullable: true }) version?: string | null;
  @Out({ type: String, format: 'date-time' }) date?: string;
  @Out({ type: String, nullable: true }) userKey?: string | null;
  @Out({ type: String, nullable: true }) machineId?: string | null;
  @Out({ type: String, nullable: true }) clientId?: string | null;
  @Out({ type: String, nullable: true }) clientName?: string | null;
  @Out({ type: String, nullable: true }) contentType?: string | null;
  @Out({ type: String, format: 'byte', nullable: true, description: 'Base64 of the submitted content' }) content?:
    string | null;
  @Out({ type: String, nullable: true, description: 'Network address of the submitting client' }) address?:
    string | null;
  @Out({ type: [ReportPropertyDto], description: 'With include=properties' }) properties?: ReportPropertyDto[];
}

@ApiSchema({ name: 'Management.GetReportResponse' })
export class GetReportResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ReportDto] }) reports: Partial<ReportDto>[];
  @TotalCount() totalReportsCount: number | null;
}

@ApiSchema({ name: 'Management.DeleteReportResponse' })
export class DeleteReportResponse extends ApiResponseDto {}

/** What a client application submits; validated by ReportsService.submit. */
export interface SubmitReportInput {
  name: string;
  version?: string | null;
  contentType?: string | null;
  /** Base64. */
  content?: string | null;
  properties?: Array<{ name: string; value?: string | null }> | null;
  userKey?: string | null;
  machineId?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  address?: string | null;
}

export interface SubmittedReport {
  reportId: number;
  uid: string;
}
