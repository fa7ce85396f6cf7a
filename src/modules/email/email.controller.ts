import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { Payload } from '../../common/envelope';
import { SendEmailRequest, SendEmailResponse, SendLicenseEmailRequest, SendLicenseEmailResponse } from './email.dto';
import { EmailService } from './email.service';
import { LicenseEmailService } from './license-email.service';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Email')
@Access('administration', 'send')
@Controller('v1/email')
export class EmailController {
  constructor(
    private readonly email: EmailService,
    private readonly licenseEmail: LicenseEmailService,
  ) {}

  @Post('send')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendEmail',
    summary:
      'Sends an email through the SMTP server of the Email settings. 409 when email is disabled, 502 when the server refuses.',
  })
  @ApiOkResponse({ type: SendEmailResponse })
  @ApiErrors(ErrorCode.EmailDisabled, ErrorCode.UpstreamFailure)
  send(@Body() request: SendEmailRequest): Promise<Payload<SendEmailResponse>> {
    return this.email.send(request);
  }

  @Post('license')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendLicenseEmail',
    summary:
      'Sends an email to a licensee based on a license and email resource (template with {Placeholder} variables); File-mode licenses get the license file attached.',
  })
  @ApiOkResponse({ type: SendLicenseEmailResponse })
  @ApiErrors(
    { code: ErrorCode.NotFound, when: 'no license has licenseId or no resource has resourceId' },
    ErrorCode.EmailDisabled,
    { code: ErrorCode.Conflict, when: 'the license has nobody to send to, or the template has sending switched off' },
    ErrorCode.UpstreamFailure,
  )
  license(@Body() request: SendLicenseEmailRequest): Promise<Payload<SendLicenseEmailResponse>> {
    return this.licenseEmail.send(request.licenseId, request.resourceId);
  }
}
