import { INestApplication, RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { RouteAccess, resolveRouteAccess } from '../auth/route-access';
import { ErrorCode } from '../errors/error-code';
import { IDEMPOTENT } from '../idempotency/idempotency.constants';
import { API_ERRORS, ErrorCase } from './api-errors.decorator';

/** What an @Idempotent() route answers beyond its own errors when it is sent an Idempotency-Key. */
const IDEMPOTENCY_ERRORS: ErrorCase[] = [
  { code: ErrorCode.InvalidIdempotencyKey },
  { code: ErrorCode.IdempotencyKeyInProgress },
  { code: ErrorCode.IdempotencyKeyReused },
];

/** What the OpenAPI document needs to know about one route beyond what Nest's scanner writes into it. */
export interface RouteFacts {
  /** Lower case, as OpenAPI paths hold them: get, post, … */
  method: string;
  /** OpenAPI style: /v1/licenses/{licenseId} */
  path: string;
  /** Who may call it, as the guard resolves it. */
  access: RouteAccess;
  /** A throttler guard runs before the handler. */
  rateLimited: boolean;
  /** Declared with @ApiErrors on the controller and the handler. */
  errors: ErrorCase[];
  /** The class of the whole @Body() parameter, which the global ValidationPipe checks. */
  bodyType?: Function;
}

const THROTTLER_METADATA_PREFIX = 'THROTTLER:';

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .map((segment) => segment.replace(/^:(\w+)$/, '{$1}'))
    .join('/');
  return `/${joined}`;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}

function bodyTypeOf(controller: Function, name: string): Function | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as Function[];
  const body = Object.entries(args).find(
    ([key, arg]) => key.split(':')[0] === String(RouteParamtypes.BODY) && arg.data === undefined,
  );
  return body ? types[body[1].index] : undefined;
}

function throttled(targets: object[]): boolean {
  const guards = targets.flatMap((target) => (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[]) ?? []);
  if (guards.some((guard) => typeof guard === 'function' && guard.prototype instanceof ThrottlerGuard)) return true;
  if (guards.some((guard) => guard instanceof ThrottlerGuard)) return true;
  return targets.some((target) =>
    Reflect.getMetadataKeys(target).some((key) => String(key).startsWith(THROTTLER_METADATA_PREFIX)),
  );
}

/** Every route of every controller, read from the decorators the guard and the pipes read. */
export function collectRoutes(app: INestApplication): RouteFacts[] {
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: RouteFacts[] = [];
  const seen = new Set<Function>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prototype = controller.prototype as Record<string, Function>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const handlerPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (requestMethod === undefined || handlerPaths === undefined) continue;
        const errors = [
          ...((Reflect.getMetadata(API_ERRORS, controller) as ErrorCase[]) ?? []),
          ...((Reflect.getMetadata(API_ERRORS, handler) as ErrorCase[]) ?? []),
          ...(Reflect.getMetadata(IDEMPOTENT, handler) === undefined ? [] : IDEMPOTENCY_ERRORS),
        ];
        for (const controllerPath of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const handlerPath of asList(handlerPaths)) {
            routes.push({
              method: RequestMethod[requestMethod].toLowerCase(),
              path: joinPath(controllerPath, handlerPath),
              access: resolveRouteAccess(reflector, handler, controller),
              rateLimited: throttled([handler, controller]),
              errors,
              bodyType: bodyTypeOf(controller, name),
            });
          }
        }
      }
    }
  }
  return routes;
}
