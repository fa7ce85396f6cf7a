import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { Area, AreaOperation, Operation } from './access';
import { Principal } from './principal';

export const IS_PUBLIC = 'auth:isPublic';
export const ACCESS = 'auth:access';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/** Opens a route to anonymous callers (login, health, the client licensing API). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** What `@Access` records on a controller or handler. */
export interface AccessDeclaration {
  area: Area;
  operation?: Operation;
}

/**
 * Declares the area of the role table (DESIGN.md §5) a controller or handler belongs to and, where the
 * HTTP method does not say it, the operation (`@Access('administration', 'send')`). Without an operation the
 * method decides (GET read, POST create, PUT update, DELETE delete). The operation picks the roles of the
 * area and the API key permission bit. A handler's declaration replaces its controller's. Routes with no
 * declaration admit administrators only: the guard denies by default.
 */
export const Access = <A extends Area>(area: A, operation?: AreaOperation<A>) =>
  applyDecorators(
    SetMetadata(ACCESS, { area, operation } satisfies AccessDeclaration),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
  );

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().user as Principal;
});
