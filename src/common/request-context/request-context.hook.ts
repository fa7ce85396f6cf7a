import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AsyncResource } from 'node:async_hooks';
import { RequestContext, SYSTEM_ACTOR, runInRequestContext } from './request-context';

const SCOPE = Symbol('requestContextScope');
type ScopedRequest = FastifyRequest & { [SCOPE]?: AsyncResource };

/**
 * Every request runs in a request context of its own: its address and Fastify's request id (the one error
 * answers and the log carry) from the start, its actor once the guard has resolved the principal
 * (`setRequestActor`). The context is entered in onRequest and re-entered after the body is read
 * (preValidation): the body arrives on the socket's events, outside the request's async scope. Two hooks
 * and no interceptor, so routes keep Nest's direct path to the handler.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: ScopedRequest, _reply, done) => {
    const context: RequestContext = { actor: SYSTEM_ACTOR, address: request.ip ?? null, requestId: request.id ?? null };
    runInRequestContext(context, () => {
      request[SCOPE] = new AsyncResource('RequestContext');
      done();
    });
  });
  fastify.addHook('preValidation', (request: ScopedRequest, _reply, done) => {
    const scope = request[SCOPE];
    if (scope) scope.runInAsyncScope(done, undefined);
    else done();
  });
}
