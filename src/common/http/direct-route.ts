import {
  CanActivate,
  ExceptionFilter,
  ForbiddenException,
  PipeTransform,
  RequestMethod,
  SetMetadata,
  Type,
} from '@nestjs/common';
import {
  CATCH_WATERMARK,
  CUSTOM_ROUTE_ARGS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { ArgumentMetadata, CustomParamFactory } from '@nestjs/common/interfaces';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { isObservable, lastValueFrom } from 'rxjs';

const DIRECT_ROUTE = Symbol.for('licensing:directRoute');

/**
 * Marks a controller method to be run by a plain Fastify handler instead of Nest's router: the same guards
 * (global, controller, method, in that order), the same pipe on its parameters, the same exception filter and the
 * same status, without the per-request machinery around them (execution-context, guard, pipe and response
 * consumers, the exceptions zone). That machinery cost the client API's validate and heartbeat about 70 µs of CPU
 * a request, more than their own work (bench/licensing-api.bench.ts). The controller stays the route's one
 * declaration: its path, its OpenAPI document, its decorators.
 *
 * Only what the direct handler reproduces is accepted; anything else fails the start with the reason:
 * parameters from @Body(), @Query(), @Param() or a custom parameter decorator (with pipes of their own or not), no
 * interceptors, no route-level pipes, filters, headers, redirects or renders, and a singleton controller.
 */
export const DirectRoute = (): MethodDecorator => SetMetadata(DIRECT_ROUTE, true);

/** What every route gets from the application: Nest's useGlobal… calls and APP_… providers, as its router reads them. */
interface DirectRouteGlobals {
  guards: CanActivate[];
  pipes: PipeTransform[];
  filter: ExceptionFilter;
}

/**
 * The application's global guards, pipes and filter, read from Nest's own configuration when the routes are
 * registered (as Nest's router reads them then), so a new APP_GUARD or useGlobalPipes applies to direct routes too.
 * What a direct handler would not run is refused: global interceptors, request-scoped globals, and any filter set
 * other than one that catches everything.
 */
function applicationGlobals(app: NestFastifyApplication): DirectRouteGlobals {
  const config = (app as unknown as { config?: unknown }).config;
  if (!(config instanceof ApplicationConfig))
    throw new Error('@DirectRoute(): this version of Nest keeps its application configuration elsewhere');
  const refuse = (what: string): never => {
    throw new Error(`@DirectRoute(): ${what} are not run by a direct route; remove @DirectRoute() or them`);
  };
  if (config.getGlobalInterceptors().length || config.getGlobalRequestInterceptors().length)
    refuse('global interceptors');
  if (config.getGlobalRequestGuards().length || config.getGlobalRequestPipes().length) refuse('request-scoped globals');
  const filters = config.getGlobalFilters();
  const catchesAll = (filter: ExceptionFilter) =>
    Reflect.getMetadata(CATCH_WATERMARK, filter.constructor) === true &&
    !(Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, filter.constructor) as unknown[] | undefined)?.length;
  if (filters.length !== 1 || config.getGlobalRequestFilters().length || !catchesAll(filters[0]))
    refuse('global exception filters other than one @Catch() of everything');
  return { guards: config.getGlobalGuards(), pipes: config.getGlobalPipes(), filter: filters[0] };
}

type ParameterResolver = (request: FastifyRequest, context: ExecutionContextHost) => unknown;

/** A marked method and the routes it answers, read from the same metadata Nest's router reads. */
interface MarkedRoute {
  instance: object;
  controller: Type;
  methodName: string;
  name: string;
  method: string;
  urls: string[];
}

interface DirectRoutePlan {
  guards: CanActivate[];
  parameters: ParameterResolver[];
  status: number;
  invoke: (args: unknown[]) => unknown;
  controller: Type;
  handler: Function;
  filter: ExceptionFilter;
}

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: CustomParamFactory;
}

const UNSUPPORTED_METADATA: Array<[string, string]> = [
  [INTERCEPTORS_METADATA, 'interceptors'],
  [PIPES_METADATA, 'route-level pipes'],
  [EXCEPTION_FILTERS_METADATA, 'exception filters'],
  [HEADERS_METADATA, '@Header()'],
  [REDIRECT_METADATA, '@Redirect()'],
  [RENDER_METADATA, '@Render()'],
  [SSE_METADATA, '@Sse()'],
];

function joinPath(...parts: unknown[]): string {
  const path = parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('/')
    .replace(/\/{2,}/g, '/')
    .replace(/^\/?/, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

const refusal =
  (name: string) =>
  (reason: string): never => {
    throw new Error(`@DirectRoute() on ${name}: ${reason}; remove @DirectRoute() or the unsupported part`);
  };

function markedRoute(instance: object, controller: Type, methodName: string): MarkedRoute {
  const handler = (controller.prototype as Record<string, Function>)[methodName];
  const name = `${controller.name}.${methodName}`;
  const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
  const method = RequestMethod[requestMethod];
  if (!method || requestMethod === RequestMethod.ALL) refusal(name)('only single-method routes can be direct');
  const controllerPaths = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
  const methodPaths = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[];
  const urls = controllerPaths.flatMap((base) => methodPaths.map((path) => joinPath(base, path)));
  return { instance, controller, methodName, name, method, urls };
}

/** The handler's plan: its guards, parameters, status and filter, refusing what a direct handler cannot reproduce. */
function planRoute(app: NestFastifyApplication, globals: DirectRouteGlobals, route: MarkedRoute): DirectRoutePlan {
  const { instance, controller, methodName, name, method } = route;
  const handler = (controller.prototype as Record<string, Function>)[methodName];
  const refuse = refusal(name);
  for (const [key, what] of UNSUPPORTED_METADATA) {
    const onClass = Reflect.getMetadata(key, controller) as unknown[] | undefined;
    const onMethod = Reflect.getMetadata(key, handler) as unknown;
    if (
      (Array.isArray(onClass) && onClass.length) ||
      (onMethod !== undefined && (!Array.isArray(onMethod) || onMethod.length))
    )
      refuse(`${what} are not run by a direct route`);
  }
  const resolveGuard = (guard: Type<CanActivate> | CanActivate): CanActivate =>
    typeof guard === 'function' ? app.get(guard, { strict: false }) : guard;
  const guards = [
    ...globals.guards,
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) as Type<CanActivate>[] | undefined) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) as Type<CanActivate>[] | undefined) ?? []),
  ].map(resolveGuard);

  const types =
    (Reflect.getMetadata('design:paramtypes', controller.prototype, methodName) as Type[] | undefined) ?? [];
  const routeArguments = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<
    string,
    RouteArgument
  >;
  const parameters: ParameterResolver[] = [];
  for (const [key, argument] of Object.entries(routeArguments)) {
    const data = argument.data as string | undefined;
    // Nest's order: the global pipes, then the parameter's own.
    const pipes = [
      ...globals.pipes,
      ...(argument.pipes ?? []).map((pipe) =>
        typeof pipe === 'function' ? app.get<PipeTransform>(pipe as Type<PipeTransform>, { strict: false }) : pipe,
      ),
    ] as PipeTransform[];
    const piped = (type: ArgumentMetadata['type']) => {
      const metadata: ArgumentMetadata = { type, metatype: types[argument.index], data };
      // Waits only for a pipe that answers a promise: awaiting a plain value still costs a microtask turn.
      const from = (start: number, value: unknown): unknown => {
        for (let index = start; index < pipes.length; index++) {
          value = pipes[index].transform(value, metadata);
          if (isThenable(value)) return Promise.resolve(value).then((resolved: unknown) => from(index + 1, resolved));
        }
        return value;
      };
      return (value: unknown): unknown => from(0, value);
    };
    const member = (source: unknown) =>
      data === undefined ? source : (source as Record<string, unknown> | undefined)?.[data];
    const source = Number(key.split(':')[0]);
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA) && argument.factory) {
      const factory = argument.factory;
      const transform = piped('custom');
      parameters[argument.index] = (_request, context) => transform(factory(argument.data, context));
    } else if (source === RouteParamtypes.BODY) {
      const transform = piped('body');
      parameters[argument.index] = (request) => transform(member(request.body));
    } else if (source === RouteParamtypes.QUERY) {
      const transform = piped('query');
      parameters[argument.index] = (request) => transform(member(request.query));
    } else if (source === RouteParamtypes.PARAM) {
      const transform = piped('param');
      parameters[argument.index] = (request) => transform(member(request.params));
    } else refuse(`parameter ${argument.index} is not @Body(), @Query(), @Param() or a custom parameter decorator`);
  }
  if (parameters.length !== handler.length || parameters.some((resolver) => resolver === undefined))
    refuse('every parameter needs a decorator');

  const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
  return {
    guards,
    parameters,
    status: httpCode ?? (method === 'POST' ? 201 : 200),
    invoke: (args) => handler.apply(instance, args),
    controller,
    handler,
    filter: globals.filter,
  };
}

/** A promise of any library, as `await` takes it: what a guard, pipe or parameter may answer instead of a value. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function directHandler(plan: DirectRoutePlan): RouteOptions['handler'] {
  return async function direct(request: FastifyRequest, reply: FastifyReply) {
    // The arguments Nest's Fastify adapter hands to guards and filters: request, reply, next.
    const context = new ExecutionContextHost([request, reply, undefined], plan.controller, plan.handler);
    try {
      // Only promises are awaited: each await of a plain value would cost the call a microtask turn.
      for (const guard of plan.guards) {
        const verdict = guard.canActivate(context);
        const allowed = isThenable(verdict)
          ? await verdict
          : isObservable(verdict)
            ? await lastValueFrom(verdict)
            : verdict;
        if (!allowed) throw new ForbiddenException('Forbidden resource');
      }
      const args = new Array<unknown>(plan.parameters.length);
      for (let index = 0; index < plan.parameters.length; index++) {
        const argument = plan.parameters[index](request, context);
        args[index] = isThenable(argument) ? await argument : argument;
      }
      reply.code(plan.status);
      const result = await plan.invoke(args);
      return result === undefined ? reply.send() : result;
    } catch (error) {
      plan.filter.catch(error, context);
      return reply;
    }
  };
}

/**
 * Runs every @DirectRoute() method of the application's controllers as a direct Fastify handler: the route Nest
 * registers for it gets the direct handler instead of Nest's (Fastify's onRoute hook), planned then with the
 * application's globals as they stand, as Nest's router plans its own. Call after NestFactory.create (the
 * controllers exist) and before init (Nest registers its routes there). A marked route that Nest never registered
 * fails the start.
 */
export function installDirectRoutes(app: NestFastifyApplication): void {
  const routes = new Map<string, MarkedRoute>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || !wrapper.instance) continue;
      for (const methodName of Object.getOwnPropertyNames(controller.prototype)) {
        const member = (controller.prototype as Record<string, unknown>)[methodName];
        if (typeof member !== 'function' || !Reflect.getMetadata(DIRECT_ROUTE, member)) continue;
        if (!wrapper.isDependencyTreeStatic())
          throw new Error(`@DirectRoute() on ${controller.name}.${methodName}: the controller is not a singleton`);
        const route = markedRoute(wrapper.instance, controller, methodName);
        for (const url of route.urls) routes.set(`${route.method} ${url}`, route);
      }
    }
  }
  if (!routes.size) return;
  const fastify = app.getHttpAdapter().getInstance();
  const installed = new Set<string>();
  let globals: DirectRouteGlobals | undefined;
  fastify.addHook('onRoute', (options) => {
    const methods = [options.method].flat();
    for (const method of methods) {
      const key = `${method} ${options.url}`;
      const route = routes.get(key);
      if (!route) continue;
      if (methods.length > 1) throw new Error(`@DirectRoute() on ${route.name}: registered for several methods`);
      options.handler = directHandler(planRoute(app, (globals ??= applicationGlobals(app)), route));
      installed.add(key);
    }
  });
  fastify.addHook('onReady', (done) => {
    const missing = [...routes.keys()].filter((key) => !installed.has(key));
    done(missing.length ? new Error(`@DirectRoute() routes Nest never registered: ${missing.join(', ')}`) : undefined);
  });
}
