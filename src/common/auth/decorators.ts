import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiErrorResponseDto } from '../envelope/api-response.dto';
import { Area } from './access';
import { Principal } from './principal';

export const IS_PUBLIC = 'auth:isPublic';
export const ACCESS_AREA = 'auth:area';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/** Opens a route to anonymous callers (login, health, the client licensing API). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Declares which area of the role table (DESIGN.md §5) a controller or handler belongs to. The HTTP
 * method decides the operation (GET read, POST create, PUT update, DELETE delete) and with it the API
 * key permission bit. Routes with no area admit administrators only: the guard denies by default.
 */
export const Access = (area: Area) =>
  applyDecorators(
    SetMetadata(ACCESS_AREA, area),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid, expired or revoked credentials',
      type: ApiErrorResponseDto,
    }),
    ApiForbiddenResponse({
      description: 'The role or API key permission does not allow this',
      type: ApiErrorResponseDto,
    }),
  );

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().user as Principal;
});
