import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../../common/auth';
import { ApiErrorResponseDto, Payload } from '../../common/envelope';
import { LoginRequest, LoginResponse } from './auth.dto';
import { AuthService } from './auth.service';

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary:
      'Exchanges a user name and password for a JWT. By default five failures lock the account for five minutes, and an address with 50 failures within 15 minutes is answered 429 until its window ends.',
  })
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({
    type: ApiErrorResponseDto,
    description: 'Wrong credentials (InvalidCredentials 201) or locked account (AccountLocked 202)',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponseDto,
    description: 'Too many failed logins from this address (TooManyFailedLogins 206); see Retry-After',
  })
  @ApiServiceUnavailableResponse({
    type: ApiErrorResponseDto,
    description: 'Every password-check slot is busy (ServerBusy 601); see Retry-After',
  })
  login(@Body() request: LoginRequest, @Ip() clientAddress: string): Promise<Payload<LoginResponse>> {
    return this.auth.login(request.userName, request.password, clientAddress);
  }
}
