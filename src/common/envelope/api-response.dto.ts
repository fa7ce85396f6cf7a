import { ApiProperty } from '@nestjs/swagger';

/**
 * The members every response carries. Response DTOs extend this and add the payload under the
 * reference's names (`licenses` + `totalLicensesCount`, `licenseId`, …).
 */
export class ApiResponseDto {
  @ApiProperty({ description: 'true when the operation succeeded', example: true })
  success: boolean;

  @ApiProperty({ description: '0 on success, otherwise a stable error code', example: 0 })
  code: number;

  @ApiProperty({ description: 'Human-readable outcome', example: 'OK' })
  message: string;
}

/** What a failed call answers; `details` only where the error has structured data (seat counts, …). */
export class ApiErrorResponseDto extends ApiResponseDto {}
