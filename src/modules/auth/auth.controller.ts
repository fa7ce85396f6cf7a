import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '../../common/auth';
import { ApiErrorResponseDto } from '../../common/envelope';
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
    summary: 'Exchanges a user name and password for a JWT. Five failures lock the account for five minutes.',
  })
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({ type: ApiErrorResponseDto, description: 'Wrong credentials or locked account' })
  login(@Body() request: LoginRequest): Promise<LoginResponse> {
    return this.auth.login(request.userName, request.password);
  }
}
