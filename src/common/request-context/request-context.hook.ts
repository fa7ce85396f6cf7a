import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestContext, SYSTEM_ACTOR, runInRequestContext } from './request-context';

const CONTEXT = Symbol('requestContext');
type ScopedRequest = FastifyRequest & { [CONTEXT]?: RequestContext };

/**
 * Every request runs in a request context of its own: its address and Fastify's request id (the one error
 * answers and the log carry) from the start, its actor once the guard has resolved the principal
 * (`setRequestActor`). The context is entered in onRequest and entered again after the body is read
 * (preValidation): the body arrives on the socket's events, outside the request's async scope. Two hooks
 * and no interceptor, so routes keep their direct path to the handler; the context object itself is kept on the
 * request (no AsyncResource per request), so the actor the guard sets is seen everywhere after it.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: ScopedRequest, _reply, done) => {
    const context: RequestContext = { actor: SYSTEM_ACTOR, address: request.ip ?? null, requestId: request.id ?? null };
    request[CONTEXT] = context;
    runInRequestContext(context, done);
  });
  fastify.addHook('preValidation', (request: ScopedRequest, _reply, done) => {
    const context = request[CONTEXT];
    if (context) runInRequestContext(context, done);
    else done();
  });
}
