import { ApiSchema } from '@nestjs/swagger';
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
