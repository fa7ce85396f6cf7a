import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException, ErrorCode } from '../errors';
import { Area, Permission, operationOf, permissionFor, rolesAllowed } from './access';
import { ACCESS_AREA, IS_PUBLIC } from './decorators';
import { Principal } from './principal';
import { API_KEY_STRATEGY, JWT_STRATEGY } from './strategies';

const PERMISSION_NAMES: Record<Permission, string> = {
  [Permission.Read]: 'Read',
  [Permission.Write]: 'Write',
  [Permission.Delete]: 'Delete',
  [Permission.Create]: 'Create',
};

/**
 * The single global guard: every route needs a Bearer JWT or an x-api-key unless it is @Public(),
 * and then a role allowed in its area plus, for API keys, the permission bit of the HTTP method.
 */
@Injectable()
export class GlobalAuthGuard extends AuthGuard([JWT_STRATEGY, API_KEY_STRATEGY]) {
  /** A route's decorators cannot change after start; read once per handler and class, not per request. */
  private readonly routes = new WeakMap<Function, WeakMap<Function, { isPublic: boolean; area: Area }>>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, area } = this.routeAccess(context);
    if (isPublic) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest();
    const principal = request.user as Principal;
    const operation = operationOf(request.method);
    const allowed = rolesAllowed(area, operation);
    if (!principal.roles.some((role) => allowed.includes(role))) {
      throw ApiException.forbidden(
        `Your roles (${principal.roles.join(', ') || 'none'}) do not allow ${operation} here; it needs one of: ${allowed.join(', ')}`,
      );
    }
    const needed = permissionFor(operation);
    if ((principal.permissions & needed) !== needed) {
      throw ApiException.forbidden(
        `This API key lacks the ${PERMISSION_NAMES[needed]} permission (bit ${needed}) that ${request.method} requires`,
      );
    }
    return true;
  }

  private routeAccess(context: ExecutionContext): { isPublic: boolean; area: Area } {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.routes.get(handler);
    if (!byController) this.routes.set(handler, (byController = new WeakMap()));
    let access = byController.get(controller);
    if (!access) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        area: this.reflector.getAllAndOverride<Area | undefined>(ACCESS_AREA, targets) ?? 'administration',
      };
      byController.set(controller, access);
    }
    return access;
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    if (error) throw error;
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
