import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { Actor, RequestContext, SYSTEM_ACTOR, runInRequestContext } from './request-context';

export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) return SYSTEM_ACTOR;
  if (principal.kind === 'apiKey')
    return { type: 'apiKey', id: String(principal.apiKeyId ?? ''), name: principal.userName };
  return { type: 'user', id: principal.userId, name: principal.userName };
}

/**
 * Interceptors run after the guard, so the principal is known: the handler, the services and the
 * repositories it calls (and the audit subscriber under them) find the caller, its address and the
 * request id (Fastify's, the one error answers and the log carry) in the request context.
 * A public route (login, the client API) runs with the system as actor; it names its own.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const store: RequestContext = {
      actor: actorOf(request.user),
      address: request.ip ?? null,
      requestId: request.id ?? null,
    };
    return new Observable((subscriber) => runInRequestContext(store, () => next.handle().subscribe(subscriber)));
  }
}
