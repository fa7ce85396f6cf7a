import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Level, Logger as PinoInstance } from 'pino';
import type { Principal } from '../auth/principal';
import { httpRequestDuration } from './metrics';
import { REQUEST_ID_HEADER } from './request-id';

/** The route label of a request no route matched (404): one series, whatever path was asked for. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Probes and scrapes arrive every few seconds; their lines are written at debug level. */
const QUIET_ROUTE = /^\/(health|metrics)(\/|$)/;

type ObservedRequest = FastifyRequest & { user?: Principal };

function levelFor(route: string, status: number): Level {
  if (status >= 500) return 'error';
  if (QUIET_ROUTE.test(route)) return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

/**
 * The request id goes back on every response (set before routing, so 404s, 413s and the guard's 401s carry
 * it too), and every finished request is observed once: the duration histogram, and one log line with method,
 * route pattern, status, duration and request id. The line names no header, query or body, so nothing a caller
 * sent as a secret can reach it. Fastify hooks rather than a Nest interceptor: they see the requests Nest never
 * routes, and cost no RxJS pipeline per request.
 */
export function registerRequestObservation(fastify: FastifyInstance, logger: PinoInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request: ObservedRequest, reply: FastifyReply, done: () => void) => {
    try {
      const route = request.routeOptions?.url ?? UNMATCHED_ROUTE;
      const status = reply.statusCode;
      const elapsedMs = reply.elapsedTime;
      httpRequestDuration.observe({ method: request.method, route, status }, elapsedMs / 1000);
      const level = levelFor(route, status);
      if (logger.isLevelEnabled(level)) {
        const queryAt = request.url.indexOf('?');
        logger[level](
          {
            requestId: request.id,
            method: request.method,
            route,
            path: queryAt < 0 ? request.url : request.url.slice(0, queryAt),
            status,
            durationMs: Math.round(elapsedMs * 1000) / 1000,
            clientAddress: request.ip,
            principal: request.user?.userName,
          },
          'request completed',
        );
      }
    } catch {
      // Observing must never affect the request.
    }
    done();
  });
}
