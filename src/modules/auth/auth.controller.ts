import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth';
import { Payload } from '../../common/envelope';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
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
  @ApiErrors(ErrorCode.InvalidCredentials, ErrorCode.AccountLocked, ErrorCode.TooManyFailedLogins, ErrorCode.ServerBusy)
  login(@Body() request: LoginRequest, @Ip() clientAddress: string): Promise<Payload<LoginResponse>> {
    return this.auth.login(request.userName, request.password, clientAddress);
  }
}
