import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { Nested, OptionalDate, OptionalInt, OptionalString, Out, Embedded, OptionalReference } from '../../common/dto';
import { LicenseDto } from './licenses.dto';

@ApiSchema({ name: 'Management.LicenseToken' })
export class LicenseTokenDto {
  @OptionalInt({ description: 'Set by the server' }) id?: number;
  @OptionalString(
    128,
    'Generated from the Licensing.ActivationTokenFormat or Licensing.FloatingTokenFormat setting; ignored on input',
  )
  token?: string | null;
  @OptionalString(64, 'Client address') address?: string | null;
  @OptionalString(256) clientId?: string | null;
  @OptionalString(256) clientName?: string | null;
  @OptionalString(256, 'Machine the activation is bound to') machineId?: string | null;
  @OptionalDate('Set by the server') issueDate?: string | null;
  @OptionalDate(
    'Defaults to the heartbeat grace period (floating) or Licensing.ActivationTokenDays (activation), never after the license expires',
  )
  expireDate?: string | null;
  @OptionalDate('Set by the server') lastHeartbeat?: string | null;
  @OptionalString(128, 'Client-supplied hash, e.g. of the hardware description') hash?: string | null;
  @OptionalInt({ description: 'The license; taken from the path on insert' }) licenseId?: number | null;
  @Embedded(() => LicenseDto, 'Not embedded by the lists; ignored on input') license?: LicenseDto | null;
  @OptionalReference('A node-locked license issued for this activation') nodeLockedLicenseId?: number | null;
  @Embedded(() => LicenseDto, 'Not embedded by the lists; ignored on input') nodeLockedLicense?: LicenseDto | null;
}

@ApiSchema({ name: 'Management.InsertLicenseTokenRequest' })
export class InsertLicenseTokenRequest {
  @Nested(() => LicenseTokenDto, { required: true }) licenseToken: LicenseTokenDto;
}

@ApiSchema({ name: 'Management.GetLicenseTokensResponse' })
export class GetLicenseTokensResponse extends ApiListResponseDto {
  @ApiProperty({ type: [LicenseTokenDto], description: 'Empty when countOnly=true' }) licenseTokens: LicenseTokenDto[];
  @ApiProperty({ description: 'Tokens in this answer' }) licenseTokensCount: number;
  @TotalCount('Tokens matching the filter, before paging') totalLicenseTokensCount: number | null;
}

@ApiSchema({ name: 'Management.InsertLicenseTokenResponse' })
export class InsertLicenseTokenResponse extends ApiResponseDto {
  @Out() licenseId: number;
  @Out() licenseTokenId: number;
  @Out() token: string;
}

@ApiSchema({ name: 'Management.DeleteLicenseTokenResponse' })
export class DeleteLicenseTokenResponse extends ApiResponseDto {}
