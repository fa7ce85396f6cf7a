import {
  Body,
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  Injectable,
  Module,
  NestInterceptor,
  Param,
  ParseIntPipe,
  PipeTransform,
  Post,
  Query,
  UseGuards,
  UseInterceptors,
  createParamDecorator,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';
import { createValidationPipe } from '../errors/validation';
import { DirectRoute, installDirectRoutes } from './direct-route';

class EchoRequest {
  @IsString()
  @MaxLength(8)
  word!: string;
}

/** Refuses a request whose x-pass header is not "yes"; counts the routes it guarded. */
@Injectable()
class PassGuard implements CanActivate {
  readonly seen: string[] = [];
  canActivate(context: ExecutionContext): boolean {
    this.seen.push(`${context.getClass().name}.${context.getHandler().name}`);
    return context.switchToHttp().getRequest<FastifyRequest>().headers['x-pass'] === 'yes';
  }
}

/** A controller guard that answers a refusal of its own, as the rate-limit guard does. */
@Injectable()
class QuotaGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.headers['x-over-quota'])
      return Promise.reject(new ApiException(ErrorCode.RateLimited, 'Too many requests', 429));
    context.switchToHttp().getResponse<{ header(name: string, value: string): void }>().header('x-quota', 'ok');
    return Promise.resolve(true);
  }
}

@Injectable()
class UpperCasePipe implements PipeTransform {
  transform(value: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(value).map(([key, text]) => [key, text.toUpperCase()]));
  }
}

const Caller = createParamDecorator((prefix: string, context: ExecutionContext) => {
  return `${prefix}${context.switchToHttp().getRequest<FastifyRequest>().ip}`;
});

@Controller('echo')
@UseGuards(QuotaGuard)
class EchoController {
  @Post('direct')
  @DirectRoute()
  @HttpCode(200)
  direct(@Body() request: EchoRequest, @Caller('from ') caller: string) {
    if (request.word === 'boom') throw new Error('exploded');
    if (request.word === 'gone') throw new ApiException(ErrorCode.NotFound, 'No such word', 404);
    return Promise.resolve({ word: request.word, instance: request instanceof EchoRequest, caller });
  }

  @Post('created')
  @DirectRoute()
  created(@Body('word') word: string) {
    return { word };
  }

  @Post('lookup/:id')
  @DirectRoute()
  @HttpCode(200)
  lookup(@Query(UpperCasePipe) query: Record<string, string>, @Param('id', ParseIntPipe) id: number) {
    return { query, id, type: typeof id };
  }

  @Post('routed')
  @HttpCode(200)
  routed(@Body() request: EchoRequest) {
    return { word: request.word };
  }
}

/** The application's globals as app.module declares its own: a global guard and the catch-all filter. */
const GLOBALS = [
  PassGuard,
  { provide: APP_GUARD, useExisting: PassGuard },
  { provide: APP_FILTER, useClass: AllExceptionsFilter },
];

@Module({ controllers: [EchoController], providers: [...GLOBALS, QuotaGuard] })
class EchoModule {}

async function start(module: unknown): Promise<{ app: NestFastifyApplication; handlers: Map<string, string> }> {
  const app = await NestFactory.create<NestFastifyApplication>(module as never, new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe());
  installDirectRoutes(app);
  const handlers = new Map<string, string>();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => void handlers.set(route.url, route.handler.name));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, handlers };
}

describe('installDirectRoutes', () => {
  let app: NestFastifyApplication;
  let handlers: Map<string, string>;
  const post = (url: string, payload: object, headers: Record<string, string> = { 'x-pass': 'yes' }) =>
    app.getHttpAdapter().getInstance().inject({ method: 'POST', url, payload, headers });

  beforeAll(async () => ({ app, handlers } = await start(EchoModule)));
  afterAll(() => app.close());

  it('gives the marked routes the direct handler and leaves the others to Nest', () => {
    expect(handlers.get('/echo/direct')).toBe('direct');
    expect(handlers.get('/echo/created')).toBe('direct');
    expect(handlers.get('/echo/lookup/:id')).toBe('direct');
    expect(handlers.get('/echo/routed')).not.toBe('direct');
  });

  it('runs the global and controller guards, the pipe, custom parameters and the status code', async () => {
    const guard = app.get(PassGuard);
    guard.seen.length = 0;
    const response = await post('/echo/direct', { word: 'hello' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ word: 'hello', instance: true, caller: 'from 127.0.0.1' });
    expect(response.headers['x-quota']).toBe('ok');
    expect(guard.seen).toEqual(['EchoController.direct']);
    // No @HttpCode(): a POST answers 201, as Nest's router answers it; @Body('word') reads one member.
    const created = await post('/echo/created', { word: 'one' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ word: 'one' });
    // @Query() and @Param() with pipes of their own, after the global one.
    const lookup = await post('/echo/lookup/42?name=ada', {});
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toEqual({ query: { name: 'ADA' }, id: 42, type: 'number' });
    const badId = await post('/echo/lookup/forty', {});
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ success: false, code: ErrorCode.ValidationFailed });
  });

  it('answers refusals and failures through the exception filter, as routed requests are answered', async () => {
    const refused = await post('/echo/direct', { word: 'hello' }, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ success: false, code: ErrorCode.Forbidden });
    const quota = await post('/echo/direct', { word: 'hello' }, { 'x-pass': 'yes', 'x-over-quota': '1' });
    expect(quota.statusCode).toBe(429);
    expect(quota.json()).toMatchObject({ success: false, code: ErrorCode.RateLimited });
    const invalid = await post('/echo/direct', { word: 'much too long', extra: 1 });
    const routedInvalid = await post('/echo/routed', { word: 'much too long', extra: 1 });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual(routedInvalid.json());
    expect(invalid.json().message).toMatch(/word must be shorter than or equal to 8 characters/);
    const missing = await post('/echo/direct', { word: 'gone' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ success: false, code: ErrorCode.NotFound, message: 'No such word' });
    const crashed = await post('/echo/direct', { word: 'boom' });
    expect(crashed.statusCode).toBe(500);
    expect(crashed.json()).toEqual({
      success: false,
      code: ErrorCode.InternalError,
      message: 'An unexpected error occurred; it has been logged',
    });
  });

  it('refuses at start what a direct handler would not run', async () => {
    @Injectable()
    class Passthrough implements NestInterceptor {
      intercept(_context: ExecutionContext, next: CallHandler) {
        return next.handle();
      }
    }
    @Controller('intercepted')
    class InterceptedController {
      @Post()
      @DirectRoute()
      @UseInterceptors(Passthrough)
      handle(@Body() request: EchoRequest) {
        return request;
      }
    }
    @Module({ controllers: [InterceptedController], providers: GLOBALS })
    class InterceptedModule {}
    await expect(start(InterceptedModule)).rejects.toThrow(
      /@DirectRoute\(\) on InterceptedController.handle: interceptors are not run by a direct route/,
    );

    @Controller('raw')
    class RawController {
      @Post()
      @DirectRoute()
      handle(request: unknown) {
        return request;
      }
    }
    @Module({ controllers: [RawController], providers: GLOBALS })
    class RawModule {}
    await expect(start(RawModule)).rejects.toThrow(/RawController.handle: every parameter needs a decorator/);

    // A global interceptor (APP_INTERCEPTOR or useGlobalInterceptors) would be skipped: refused too.
    @Controller('globally-intercepted')
    class PlainController {
      @Post()
      @DirectRoute()
      handle(@Body() request: EchoRequest) {
        return request;
      }
    }
    @Module({
      controllers: [PlainController],
      providers: [...GLOBALS, { provide: APP_INTERCEPTOR, useClass: Passthrough }],
    })
    class GloballyInterceptedModule {}
    await expect(start(GloballyInterceptedModule)).rejects.toThrow(
      /@DirectRoute\(\): global interceptors are not run by a direct route/,
    );
  });
});
