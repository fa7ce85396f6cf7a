import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../errors/error-code';

/** Routes that answer documents of their own, not API payloads. */
const UNWRAPPED_ROUTE = /^\/swagger/;

/**
 * Wraps every successful payload in the success envelope: handlers return only their payload
 * (`{ users, totalUsersCount }`) and may set `message` themselves. Failures arrive already wrapped by
 * the exception filter (they carry `success`). Done as a Fastify preSerialization hook rather than a
 * Nest interceptor: on Node 20 each interceptor costs every request an AsyncResource.bind and an RxJS
 * pipeline, a measurable share of a fast endpoint's CPU.
 */
export function registerEnvelope(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    const wrap =
      reply.statusCode < 400 &&
      payload !== null &&
      typeof payload === 'object' &&
      !Array.isArray(payload) &&
      !Buffer.isBuffer(payload) &&
      !('success' in payload) &&
      !UNWRAPPED_ROUTE.test(request.routeOptions?.url ?? request.url);
    done(
      null,
      wrap
        ? { success: true, code: ErrorCode.Success, message: 'OK', ...(payload as Record<string, unknown>) }
        : payload,
    );
  });
}
