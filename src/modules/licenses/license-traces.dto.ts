import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { OptionalDate, OptionalEnum, OptionalInt, OptionalString, OptionalReference } from '../../common/dto';
import { FILTER_LIMITS } from '../../common/query';

@ApiSchema({ name: 'Management.LicenseTrace' })
export class LicenseTraceDto {
  @OptionalInt() id?: number;
  @OptionalString(64) clientIp?: string | null;
  @OptionalString(256) clientId?: string | null;
  @OptionalString(256) clientName?: string | null;
  @OptionalString(256) machineId?: string | null;
  @OptionalDate() createdDate?: string | null;
  @OptionalEnum(
    [0, 1, 2, 3, 4, 5, 6],
    '0 Unknown, 1 Activate, 2 Deactivate, 3 Validate, 4 FloatingRequest, 5 FloatingRelease, 6 Heartbeat',
  )
  action?: number | null;
  @OptionalString(256) geoLocation?: string | null;
  @OptionalString(65536) meta?: string | null;
  @OptionalInt() licenseId?: number | null;
}

@ApiSchema({ name: 'Management.GetLicenseTracesResponse' })
export class GetLicenseTracesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LicenseTraceDto] }) licenseTraces: LicenseTraceDto[];
  @TotalCount() totalLicenseTracesCount: number | null;
}

/** At least one member; several narrow the delete together. */
@ApiSchema({ name: 'Management.DeleteLicenseTraceRequest' })
export class DeleteLicenseTraceRequest {
  @OptionalReference('Deletes this trace') traceId?: number | null;
  @OptionalReference('Deletes the traces of this license') licenseId?: number | null;
  @OptionalString(
    FILTER_LIMITS.maxLength,
    'Deletes the traces matching this filter (the syntax of the lists), e.g. CreatedDate < "2025-01-01"',
  )
  filter?: string | null;
}

@ApiSchema({ name: 'Management.DeleteLicenseTraceResponse' })
export class DeleteLicenseTraceResponse extends ApiResponseDto {}
