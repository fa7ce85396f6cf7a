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

/** The members every list answer carries beside its items and their total (README "Lists"). */
export class ApiListResponseDto extends ApiResponseDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Pass as `cursor` (same path, filter and sort) for the items that follow the last one of this answer; null when none follow',
    example: null,
  })
  nextCursor: string | null;
}

/** A list answer's total member (`totalLicensesCount`): the exact count of matching items, null with withTotal=false. */
export function TotalCount(description = 'Items matching the filter, before paging'): PropertyDecorator {
  return ApiProperty({ type: Number, nullable: true, description: `${description}; null when withTotal=false` });
}

/**
 * What a handler or service returns for a response type `T`: the payload without the envelope members, which the
 * envelope hook adds (a handler may still set its own `message`). Returning `Payload<InsertUserResponse>` lets the
 * compiler check the payload's shape where a cast to the response type would hide a mistake.
 */
export type Payload<T extends ApiResponseDto> = Omit<T, keyof ApiResponseDto> & { message?: string };

/** A response that carries nothing beyond the envelope (updates and deletes). */
export const EMPTY_PAYLOAD: Payload<ApiResponseDto> = Object.freeze({});
