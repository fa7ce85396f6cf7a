import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { NestedArray, OptionalString, RequiredString } from '../../common/dto';
import { ApiResponseDto } from '../../common/envelope';

/** A required text that must hold more than white space (an empty user key is a typo, not a lookup). */
const RequiredText = (maxLength: number, description: string) =>
  applyDecorators(RequiredString(maxLength, description), Matches(/\S/, { message: '$property must not be empty' }));

const USER_KEY = 'The user key the customer typed, as delivered with the license';
const MACHINE_ID = 'Hardware key of the machine (stable across restarts)';
const CLIENT_ID = 'Id of this application instance';
const CLIENT_NAME = 'Machine name, shown to administrators';
const LICENSE_TOKEN = 'The actk_… or fltk_… token an activation or a seat request answered';

// ---------------------------------------------------------------------------------------------
// Requests

@ApiSchema({ name: 'Licensing.ActivateRequest' })
export class ActivateRequest {
  @RequiredText(256, USER_KEY) userKey: string;
  @RequiredText(256, `${MACHINE_ID}; the node-locked license is bound to it`) machineId: string;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.DeactivateRequest' })
export class DeactivateRequest {
  @RequiredText(256, USER_KEY) userKey: string;
  @OptionalString(256, `${MACHINE_ID}; names the activation to free when licenseToken is not given`) machineId?:
    string | null;
  @OptionalString(128, `${LICENSE_TOKEN}; names the activation to free`) licenseToken?: string | null;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.ValidateRequest' })
export class ValidateRequest {
  @RequiredText(256, USER_KEY) userKey: string;
  @OptionalString(256, `${MACHINE_ID}; activation licenses are valid only on an activated machine`) machineId?:
    string | null;
  @OptionalString(128, `${LICENSE_TOKEN}; when given it must be live and belong to this user key`) licenseToken?:
    string | null;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.FloatingSeatRequest' })
export class FloatingSeatRequest {
  @RequiredText(256, USER_KEY) userKey: string;
  @RequiredText(256, `${CLIENT_ID}; asking again with the same clientId keeps the same seat`) clientId: string;
  @OptionalString(256, MACHINE_ID) machineId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.HeartbeatRequest' })
export class HeartbeatRequest {
  @RequiredText(128, LICENSE_TOKEN) licenseToken: string;
  @OptionalString(256, `${USER_KEY}; when given the token must belong to it`) userKey?: string | null;
  @OptionalString(256, MACHINE_ID) machineId?: string | null;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.FloatingReleaseRequest' })
export class FloatingReleaseRequest {
  @RequiredText(128, 'The fltk_… token of the seat to free') licenseToken: string;
  @OptionalString(256, `${USER_KEY}; when given the token must belong to it`) userKey?: string | null;
  @OptionalString(256, MACHINE_ID) machineId?: string | null;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

@ApiSchema({ name: 'Licensing.ReportProperty' })
export class ReportPropertyInput {
  @RequiredText(256, 'Property name') name: string;
  @OptionalString(64 * 1024, 'Property value') value?: string | null;
}

@ApiSchema({ name: 'Licensing.ReportRequest' })
export class ReportRequest {
  @RequiredText(256, USER_KEY) userKey: string;
  @RequiredText(128, 'Kind of report, e.g. ExceptionReport or LicenseReport') name: string;
  @OptionalString(64, 'Version of the application that reports') version?: string | null;
  @OptionalString(128, 'Media type of the decoded content, e.g. application/json') contentType?: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'byte',
    nullable: true,
    description: 'Base64 of the content; at most the Reporting.MaxReportContentBytes setting once decoded (413 beyond)',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  content?: string | null;
  @NestedArray(() => ReportPropertyInput, 'Name/value pairs, at most 200') properties?: ReportPropertyInput[] | null;
  @OptionalString(256, MACHINE_ID) machineId?: string | null;
  @OptionalString(256, CLIENT_ID) clientId?: string | null;
  @OptionalString(256, CLIENT_NAME) clientName?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Responses

@ApiSchema({ name: 'Licensing.LicenseInfo' })
export class LicenseInfoDto {
  @ApiProperty({ description: 'Public id of the license, e.g. lic0A1B2C3D' }) licenseId: string;
  @ApiProperty({ enum: [0, 1, 2], description: '0 File, 1 Activation, 2 Floating' }) licensingMode: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the license (or, for an activation, its node-locked license) expires; null: never',
  })
  expireAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'End of support; null: none' })
  supportExpireAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The signed license to verify offline with the product public key: for an activation the node-locked license bound to this machine (Hardware restriction, property machineId), for a floating seat and a file license the license itself; null when this call grants nothing to verify (a machine that is not activated, no seat held)',
  })
  licenseKey: string | null;
}

@ApiSchema({ name: 'Licensing.ActivateResponse' })
export class ActivateResponse extends ApiResponseDto {
  @ApiProperty({ description: 'The activation token (actk_…); the same one when this machine was already activated' })
  licenseToken: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the activation lapses; null: until deactivated or the license expires',
  })
  tokenExpireAt: string | null;
  @ApiProperty({ description: 'Live activations of the license, this one included' }) activeClientCount: number;
  @ApiProperty({ description: 'Activations the license allows (maxAllowedSites)' }) maxClientCount: number;
  @ApiProperty({ type: LicenseInfoDto }) license: LicenseInfoDto;
}

@ApiSchema({ name: 'Licensing.DeactivateResponse' })
export class DeactivateResponse extends ApiResponseDto {
  @ApiProperty({ description: 'Live activations left' }) activeClientCount: number;
  @ApiProperty({ description: 'Activations the license allows' }) maxClientCount: number;
}

@ApiSchema({ name: 'Licensing.ValidateResponse' })
export class ValidateResponse extends ApiResponseDto {
  @ApiProperty({ description: 'The license may be used on this machine now' }) valid: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why not, when valid is false' }) reason: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The token the answer is about: the one given, or the activation of this machine',
  })
  licenseToken: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When that token lapses' })
  tokenExpireAt: string | null;
  @ApiProperty({ type: LicenseInfoDto }) license: LicenseInfoDto;
}

@ApiSchema({ name: 'Licensing.FloatingSeatResponse' })
export class FloatingSeatResponse extends ApiResponseDto {
  @ApiProperty({ description: 'The seat token (fltk_…); the same one when this clientId already held a seat' })
  licenseToken: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The seat is freed at this time unless a heartbeat extends it',
  })
  tokenExpireAt: string;
  @ApiProperty({ description: 'Send a heartbeat at least this often (Licensing.HeartbeatIntervalSeconds)' })
  heartbeatIntervalSeconds: number;
  @ApiProperty({ description: 'Seats in use, this one included' }) activeClientCount: number;
  @ApiProperty({ description: 'Seats the license has (maxAllowedSites)' }) maxClientCount: number;
  @ApiProperty({ type: LicenseInfoDto }) license: LicenseInfoDto;
}

@ApiSchema({ name: 'Licensing.HeartbeatResponse' })
export class HeartbeatResponse extends ApiResponseDto {
  @ApiProperty() licenseToken: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The new expiry of the seat (activations keep theirs)',
  })
  tokenExpireAt: string | null;
  @ApiProperty({ description: 'Send the next heartbeat within this many seconds' }) heartbeatIntervalSeconds: number;
}

@ApiSchema({ name: 'Licensing.FloatingReleaseResponse' })
export class FloatingReleaseResponse extends ApiResponseDto {
  @ApiProperty({ description: 'Seats in use after the release' }) activeClientCount: number;
  @ApiProperty({ description: 'Seats the license has' }) maxClientCount: number;
}

@ApiSchema({ name: 'Licensing.ReportResponse' })
export class ReportResponse extends ApiResponseDto {
  @ApiProperty({ description: 'Id of the stored report (GET /v1/reports)' }) reportId: number;
  @ApiProperty({ format: 'uuid' }) uid: string;
}
