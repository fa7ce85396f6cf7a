import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { SendEmailRequest, SendEmailResponse, SendLicenseEmailRequest, SendLicenseEmailResponse } from './email.dto';
import { EmailService } from './email.service';
import { LicenseEmailService } from './license-email.service';

@ApiTags('Email')
@Access('administration', 'send')
@Controller('v1/email')
export class EmailController {
  constructor(
    private readonly email: EmailService,
    private readonly licenseEmail: LicenseEmailService,
  ) {}

  @Post('send')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendEmail',
    summary:
      'Sends an email through the SMTP server of the Email settings. 409 when email is disabled, 502 when the server refuses.',
  })
  @ApiOkResponse({ type: SendEmailResponse })
  async send(@Body() request: SendEmailRequest): Promise<SendEmailResponse> {
    return { message: await this.email.send(request) } as SendEmailResponse;
  }

  @Post('license')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendLicenseEmail',
    summary:
      'Sends an email to a licensee based on a license and email resource (template with {Placeholder} variables); File-mode licenses get the license file attached.',
  })
  @ApiOkResponse({ type: SendLicenseEmailResponse })
  async license(@Body() request: SendLicenseEmailRequest): Promise<SendLicenseEmailResponse> {
    return { message: await this.licenseEmail.send(request.licenseId, request.resourceId) } as SendLicenseEmailResponse;
  }
}
