import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Out } from '../../common/dto';
import { ApiResponseDto } from '../../common/envelope';

@ApiSchema({ name: 'Management.GetServerInfoResponse' })
export class GetServerInfoResponse extends ApiResponseDto {
  @Out({ description: 'The Application.ProductName setting' }) product: string;
  @Out({ description: '0: the open-source edition, the only one' }) edition: number;
  @Out({ description: 'Server version' }) version: string;
  @Out({ description: 'License the server is distributed under' }) license: string;
  @Out() serverHost: string;
  @Out({ format: 'date-time' }) serverTime: string;
  @Out({ description: 'Your address as the server sees it' }) clientAddress: string;
  @Out({ description: 'Live tokens (activations and floating seats not expired)' }) activeTokens: number;
  @Out({ description: 'Seats of the activation and floating licenses that are neither revoked nor expired' })
  maxTokens: number;
  @Out({ description: 'Live activation tokens' }) activationTokens: number;
  @Out({ description: 'Live floating seats' }) floatingTokens: number;
  @Out({ description: 'Tokens past their expiry, not yet swept' }) expiredTokens: number;
  @Out() totalLicenses: number;
  @Out() revokedLicenses: number;
  @Out({ description: 'Licenses with tracing on' }) tracedLicenses: number;
  @Out() activationLicenses: number;
  @Out() floatingLicenses: number;
  @Out() fileLicenses: number;
}

@ApiSchema({ name: 'Management.DashboardLicenseCount' })
export class DashboardLicenseCountDto {
  @Out({ enum: [0, 1, 2], description: '0 File, 1 Activation, 2 Floating' }) licensingMode: number;
  @Out({ description: 'Neither revoked nor expired' }) active: number;
  @Out() revoked: number;
  @Out({ description: 'Past their expiry date, not revoked' }) expired: number;
}

@ApiSchema({ name: 'Management.DashboardDay' })
export class DashboardDayDto {
  @Out({ format: 'date', description: 'UTC day' }) date: string;
  @Out({ description: 'Machines activated through the client API that day' }) activations: number;
  @Out({ description: 'Machines deactivated that day' }) deactivations: number;
  @Out({ description: 'Floating seats granted that day' }) seats: number;
}

@ApiSchema({ name: 'Management.DashboardExpiringLicense' })
export class DashboardExpiringLicenseDto {
  @Out() id: number;
  @Out() licenseId: string;
  @Out({ type: String, nullable: true }) licenseeName: string | null;
  @Out({ type: String, nullable: true }) productName: string | null;
  @Out({ format: 'date-time' }) expireDate: string;
}

@ApiSchema({ name: 'Management.GetDashboardResponse' })
export class GetDashboardResponse extends ApiResponseDto {
  @ApiProperty({ type: [DashboardLicenseCountDto], description: 'One item per licensing mode' })
  licensesByMode: DashboardLicenseCountDto[];
  @Out({ description: 'Live activation tokens' }) activationsInUse: number;
  @Out({ description: 'Live floating seats' }) seatsInUse: number;
  @Out({ description: 'Seats of the activation and floating licenses that are neither revoked nor expired' })
  seatsAvailable: number;
  @ApiProperty({ type: [DashboardDayDto], description: 'The last 30 UTC days, oldest first, today included' })
  activationsPerDay: DashboardDayDto[];
  @Out({ description: 'Licenses, not revoked, that expire within 30 days' }) expiringLicensesCount: number;
  @ApiProperty({ type: [DashboardExpiringLicenseDto], description: 'The first 10 of them, soonest first' })
  expiringLicenses: DashboardExpiringLicenseDto[];
}
