import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { Principal } from '../auth/principal';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyCaller,
} from './idempotency.constants';
import { IdempotencyService } from './idempotency.service';

interface RouteFacts {
  caller: IdempotencyCaller;
  status: number;
}

/**
 * The HTTP side of @Idempotent(): runs after the guard (so the caller is known) and before the pipes, claims the
 * key, then stores the handler's payload on success or gives the key back on any error. A replay answers the stored
 * payload, which the envelope hook wraps exactly as it wrapped the first answer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly routes = new WeakMap<Function, RouteFacts>();

  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return next.handle();
    const route = this.route(context.getHandler());
    const key = this.idempotency.parseKey(header);
    const caller = callerOf(route.caller, request);
    if (caller === undefined) return next.handle(); // no user key in the body: validation refuses it anyway
    const hash = IdempotencyService.requestHash(request.method, request.url, request.body);
    return from(this.idempotency.decide(caller, key, hash)).pipe(
      mergeMap((decision) => {
        if (decision.kind === 'replay') {
          context.switchToHttp().getResponse<FastifyReply>().header(IDEMPOTENT_REPLAYED_HEADER, 'true');
          return of(decision.payload);
        }
        return next.handle().pipe(
          mergeMap((payload) =>
            from(this.idempotency.complete(caller, key, route.status, payload)).pipe(mergeMap(() => of(payload))),
          ),
          catchError((error: unknown) =>
            from(this.idempotency.release(caller, key)).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  /** A route's decorators cannot change after start: read once per handler. */
  private route(handler: Function): RouteFacts {
    let facts = this.routes.get(handler);
    if (!facts) {
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      facts = {
        caller: (Reflect.getMetadata(IDEMPOTENT, handler) as IdempotencyCaller | undefined) ?? 'principal',
        status:
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
          (method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK),
      };
      this.routes.set(handler, facts);
    }
    return facts;
  }
}

function callerOf(kind: IdempotencyCaller, request: FastifyRequest): string | undefined {
  if (kind === 'userKey') {
    const userKey = (request.body as { userKey?: unknown } | undefined)?.userKey;
    return typeof userKey === 'string' && userKey !== '' ? IdempotencyService.userKeyCaller(userKey) : undefined;
  }
  const principal = (request as FastifyRequest & { user?: Principal }).user;
  if (!principal) return undefined;
  return principal.kind === 'apiKey' && principal.apiKeyId !== undefined
    ? `apiKey:${principal.apiKeyId}`
    : `user:${principal.userId}`;
}
