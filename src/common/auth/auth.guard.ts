import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException, ErrorCode } from '../errors';
import { Actor, setRequestActor } from '../request-context';
import { PERMISSION_NAMES } from './access';
import { Principal } from './principal';
import { RouteAccess, resolveRouteAccess } from './route-access';
import { API_KEY_STRATEGY, JWT_STRATEGY } from './strategies';

/** Who the audit trail names for a principal: the user, or the API key (with its owner's name). */
export function actorOf(principal: Principal): Actor {
  if (principal.kind === 'apiKey')
    return { type: 'apiKey', id: String(principal.apiKeyId ?? ''), name: principal.userName };
  return { type: 'user', id: principal.userId, name: principal.userName };
}

/**
 * The single global guard: every route needs a Bearer JWT or an x-api-key unless it is @Public(),
 * and then a role allowed for its area and operation plus, for API keys, the permission bit of the operation.
 */
@Injectable()
export class GlobalAuthGuard extends AuthGuard([JWT_STRATEGY, API_KEY_STRATEGY]) {
  /** A route's decorators cannot change after start; read once per handler and class, not per request. */
  private readonly routes = new WeakMap<Function, WeakMap<Function, RouteAccess>>();
  /**
   * For a request that sends an x-api-key and no Authorization header: the JWT strategy would only fail first
   * (a measurable share of a small API call's CPU), so the API key strategy runs alone, with the same answers.
   */
  private readonly apiKeyOnly = new ApiKeyOnlyGuard(this);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  /** A public route is let through without a promise: the client API's calls would each pay a microtask turn. */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeAccess(context);
    return route.isPublic || this.authenticate(context, route);
  }

  private async authenticate(
    context: ExecutionContext,
    route: Extract<RouteAccess, { isPublic: false }>,
  ): Promise<boolean> {
    const headers = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers;
    if (headers['x-api-key'] !== undefined && headers.authorization === undefined)
      await this.apiKeyOnly.canActivate(context);
    else await super.canActivate(context);
    const principal = context.switchToHttp().getRequest().user as Principal;
    setRequestActor(actorOf(principal));
    const { area, operation, roles: allowed, permission: needed } = route;
    if (!principal.roles.some((role) => allowed.includes(role))) {
      throw ApiException.forbidden(
        `Your roles (${principal.roles.join(', ') || 'none'}) do not allow ${operation} in ${area}; it needs one of: ${allowed.join(', ')}`,
      );
    }
    if ((principal.permissions & needed) !== needed) {
      throw ApiException.forbidden(
        `This API key lacks the ${PERMISSION_NAMES[needed]} permission (bit ${needed}) that ${operation} in ${area} requires`,
      );
    }
    return true;
  }

  private routeAccess(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.routes.get(handler);
    if (!byController) this.routes.set(handler, (byController = new WeakMap()));
    let access = byController.get(controller);
    if (!access) {
      access = resolveRouteAccess(this.reflector, handler, controller);
      byController.set(controller, access);
    }
    return access;
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    if (user) return user;
    throw ApiException.unauthorized(this.describeFailure(info), ErrorCode.Unauthorized);
  }

  private describeFailure(info: unknown): string {
    const reasons = (Array.isArray(info) ? info : [info]).filter(Boolean) as Array<{ name?: string; message?: string }>;
    if (reasons.some((reason) => reason.name === 'TokenExpiredError'))
      return 'The login token has expired; log in again';
    if (reasons.some((reason) => reason.name === 'JsonWebTokenError' || reason.name === 'NotBeforeError'))
      return 'The login token is invalid';
    return 'Authentication required: send "Authorization: Bearer <token>" from POST /v1/auth/login or an "x-api-key" header';
  }
}

class ApiKeyOnlyGuard extends AuthGuard(API_KEY_STRATEGY) {
  constructor(private readonly main: GlobalAuthGuard) {
    super();
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    return this.main.handleRequest(error, user, info);
  }
}
