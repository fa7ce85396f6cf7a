import { Body, Controller, ExecutionContext, HttpCode, Post, UseGuards, createParamDecorator } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth';
import { ErrorCode } from '../../common/errors';
import { DirectRoute } from '../../common/http';
import { ApiErrors } from '../../common/openapi';
import { ActivationService } from './activation.service';
import { ClientReportsService } from './client-reports.service';
import { FloatingService } from './floating.service';
import {
  ActivateRequest,
  ActivateResponse,
  DeactivateRequest,
  DeactivateResponse,
  FloatingReleaseRequest,
  FloatingReleaseResponse,
  FloatingSeatRequest,
  FloatingSeatResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  ReportRequest,
  ReportResponse,
  ValidateRequest,
  ValidateResponse,
} from './licensing-api.dto';
import { LicensingThrottlerGuard } from './licensing-throttling';
import { ValidationService } from './validation.service';
import { Idempotent } from '../../common/idempotency';

/** The caller's address as Fastify sees it (X-Forwarded-For only with TRUST_PROXY). */
const ClientAddress = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | null =>
    context.switchToHttp().getRequest<FastifyRequest>().ip ?? null,
);

const REFUSED = [ErrorCode.LicenseRevoked, ErrorCode.LicenseExpired, ErrorCode.TokenExpired];

/**
 * The API shipped applications call with the user key a customer typed. Public (the user key is the
 * credential), rate limited per client address and per user key.
 */
@ApiTags('Licensing')
@Public()
@UseGuards(LicensingThrottlerGuard)
@ApiErrors(ErrorCode.MissingParameter, ErrorCode.WrongLicensingMode, ErrorCode.LicenseKeyNotFound, {
  code: ErrorCode.TokenNotFound,
  when: 'no such token for this user key',
})
@Controller('v1/license')
export class LicensingApiController {
  constructor(
    private readonly activation: ActivationService,
    private readonly floating: FloatingService,
    private readonly validation: ValidationService,
    private readonly reports: ClientReportsService,
  ) {}

  @Post('activate')
  @Idempotent('userKey')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'activateLicense',
    summary:
      'Activates an activation license on a machine: answers the activation token and a node-locked license for that machine; the same machine again gets the same activation.',
  })
  @ApiOkResponse({ type: ActivateResponse })
  @ApiErrors(...REFUSED, ErrorCode.NoFreeSeat, ErrorCode.LicenseTampered)
  activateLicense(
    @Body() request: ActivateRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<ActivateResponse>> {
    return this.activation.activate(request, address);
  }

  @Post('deactivate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'deactivateLicense',
    summary: "Frees a machine's activation (named by machineId or its licenseToken) and answers the new counts.",
  })
  @ApiOkResponse({ type: DeactivateResponse })
  deactivateLicense(
    @Body() request: DeactivateRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<DeactivateResponse>> {
    return this.activation.deactivate(request, address);
  }

  @Post('validate')
  @DirectRoute()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'validateLicense',
    summary:
      'Says whether the license (and the token, when given) is valid for this machine now, with the license block to verify offline.',
  })
  @ApiOkResponse({ type: ValidateResponse })
  @ApiErrors(...REFUSED, ErrorCode.LicenseTampered)
  validateLicense(
    @Body() request: ValidateRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<ValidateResponse>> {
    return this.validation.validate(request, address);
  }

  @Post('floating/request')
  @Idempotent('userKey')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'requestFloatingLicense',
    summary:
      'Takes a floating seat for this clientId (the same clientId keeps its seat); it lives for the heartbeat interval times the grace factor.',
  })
  @ApiOkResponse({ type: FloatingSeatResponse })
  @ApiErrors(...REFUSED, ErrorCode.NoFreeSeat, ErrorCode.LicenseTampered)
  requestFloatingLicense(
    @Body() request: FloatingSeatRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<FloatingSeatResponse>> {
    return this.floating.request(request, address);
  }

  @Post('heartbeat')
  @DirectRoute()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendHeartbeat',
    summary:
      'Extends a floating seat by the heartbeat interval times the grace factor (an activation only records the heartbeat).',
  })
  @ApiOkResponse({ type: HeartbeatResponse })
  @ApiErrors(...REFUSED)
  sendHeartbeat(
    @Body() request: HeartbeatRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<HeartbeatResponse>> {
    return this.floating.heartbeat(request, address);
  }

  @Post('floating/release')
  @HttpCode(200)
  @ApiOperation({ operationId: 'releaseFloatingLicense', summary: 'Frees a floating seat and answers the new counts.' })
  @ApiOkResponse({ type: FloatingReleaseResponse })
  releaseFloatingLicense(
    @Body() request: FloatingReleaseRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<FloatingReleaseResponse>> {
    return this.floating.release(request, address);
  }

  @Post('report')
  @Idempotent('userKey')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'submitClientReport',
    summary:
      'Stores a report (ExceptionReport, LicenseReport, …) from an application with a known user key; it appears in GET /v1/reports.',
  })
  @ApiOkResponse({ type: ReportResponse })
  @ApiErrors({ code: ErrorCode.PayloadTooLarge, when: 'content is larger than Reporting.MaxReportContentBytes' })
  submitClientReport(
    @Body() request: ReportRequest,
    @ClientAddress() address: string | null,
  ): Promise<Payload<ReportResponse>> {
    return this.reports.submit(request, address);
  }
}
