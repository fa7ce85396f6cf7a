import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { Area, Operation, Permission, Role, operationOf, permissionFor, rolesAllowed } from './access';
import { ACCESS, AccessDeclaration, IS_PUBLIC } from './decorators';

/** Who may call one route: what the guard enforces and the route-access snapshot records. */
export type RouteAccess =
  | { isPublic: true; declared: true }
  | {
      isPublic: false;
      /** False when neither the handler nor its controller says anything: administrators only. */
      declared: boolean;
      area: Area;
      operation: Operation;
      /** Whether the operation was declared or follows from the HTTP method. */
      operationFrom: 'declared' | 'method';
      roles: readonly Role[];
      permission: Permission;
    };

/** Reads a route's decorators: the handler's declaration replaces its controller's. */
export function resolveRouteAccess(reflector: Reflector, handler: Function, controller: Function): RouteAccess {
  const targets = [handler, controller];
  if (reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return { isPublic: true, declared: true };
  const declaration = reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS, targets);
  const area = declaration?.area ?? 'administration';
  const method = RequestMethod[reflector.get<RequestMethod>(METHOD_METADATA, handler) ?? RequestMethod.GET];
  const operation = declaration?.operation ?? operationOf(method);
  return {
    isPublic: false,
    declared: declaration !== undefined,
    area,
    operation,
    operationFrom: declaration?.operation ? 'declared' : 'method',
    roles: rolesAllowed(area, operation),
    permission: permissionFor(operation),
  };
}
