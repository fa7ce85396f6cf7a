import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Out } from '../../common/dto';
import { ApiResponseDto } from '../../common/envelope';

@ApiSchema({ name: 'Portal.Customer' })
export class PortalCustomerDto {
  @Out() id: number;
  @Out({ type: String, nullable: true }) code: string | null;
  @Out({ type: String, nullable: true }) company: string | null;
  @Out({ type: String, nullable: true }) firstName: string | null;
  @Out({ type: String, nullable: true }) lastName: string | null;
  @Out({ type: String, nullable: true }) email: string | null;
}

@ApiSchema({ name: 'Portal.GetCustomerResponse' })
export class GetPortalCustomerResponse extends ApiResponseDto {
  @ApiProperty({ type: PortalCustomerDto }) customer: PortalCustomerDto;
  @Out({ description: 'Machines the portal lets you deactivate per license in 30 days' })
  deactivationsPer30Days: number;
}

@ApiSchema({ name: 'Portal.License' })
export class PortalLicenseDto {
  @Out({ description: 'Row id: the {licenseId} of the portal paths' }) id: number;
  @Out({ description: 'Public license id (lic…)' }) licenseId: string;
  @Out({ description: 'The key your users type to activate' }) userKey: string;
  @Out({ type: String, nullable: true }) productName: string | null;
  @Out({ type: String, nullable: true }) productVersion: string | null;
  @Out({ type: String, nullable: true }) licenseType: string | null;
  @Out({ enum: [0, 1, 2], description: '0 File, 1 Activation, 2 Floating' }) licensingMode: number;
  @Out({ type: Number, nullable: true, description: 'Activations or floating seats allowed' }) maxAllowedSites:
    number | null;
  @Out({ description: 'Activations or seats in use now' }) activeTokens: number;
  @Out({ type: String, format: 'date-time', nullable: true }) issueDate: string | null;
  @Out({ type: String, format: 'date-time', nullable: true, description: 'Empty: never expires' }) expireDate:
    string | null;
  @Out({ type: String, format: 'date-time', nullable: true }) supportExpireDate: string | null;
  @Out() revoked: boolean;
  @Out({ description: 'Machines you may still deactivate in the portal now (activation licenses)' })
  deactivationsLeft: number;
}

@ApiSchema({ name: 'Portal.GetLicensesResponse' })
export class GetPortalLicensesResponse extends ApiResponseDto {
  @ApiProperty({ type: [PortalLicenseDto] }) licenses: PortalLicenseDto[];
  @Out({ description: 'Your licenses matching the filter, before paging' }) totalLicensesCount: number;
}

@ApiSchema({ name: 'Portal.LicenseToken' })
export class PortalLicenseTokenDto {
  @Out() id: number;
  @Out({ enum: [1, 2], description: '1 activation, 2 floating seat' }) kind: number;
  @Out({ type: String, nullable: true }) machineId: string | null;
  @Out({ type: String, nullable: true }) clientName: string | null;
  @Out({ type: String, format: 'date-time', nullable: true }) issueDate: string | null;
  @Out({ type: String, format: 'date-time', nullable: true }) expireDate: string | null;
  @Out({ type: String, format: 'date-time', nullable: true }) lastHeartbeat: string | null;
}

@ApiSchema({ name: 'Portal.GetLicenseTokensResponse' })
export class GetPortalLicenseTokensResponse extends ApiResponseDto {
  @ApiProperty({ type: [PortalLicenseTokenDto], description: 'Live activations and seats of the license' })
  licenseTokens: PortalLicenseTokenDto[];
  @Out({ type: Number, nullable: true }) maxAllowedSites: number | null;
  @Out() deactivationsLeft: number;
}

@ApiSchema({ name: 'Portal.DeactivateMachineResponse' })
export class DeactivatePortalMachineResponse extends ApiResponseDto {
  @Out({ description: 'Activations in use after this one was freed' }) activeClientCount: number;
  @Out({ type: Number, nullable: true }) maxClientCount: number | null;
  @Out({ description: 'Deactivations left for this license in the current 30 days' }) deactivationsLeft: number;
}
