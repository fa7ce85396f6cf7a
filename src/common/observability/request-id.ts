import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a caller (or a proxy in front) sets to name its request; every response carries it back. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Visible ASCII only (no spaces, no control characters), at most 128 characters: safe in a log line and a header. */
const ACCEPTED_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The caller's request id when it is acceptable, else undefined. */
export function acceptedRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && ACCEPTED_REQUEST_ID.test(value) ? value : undefined;
}

/**
 * Fastify's genReqId: the caller's X-Request-Id when valid (so one id follows a call through a proxy, this
 * service, its logs and the database log), else a UUID, unique across instances and restarts.
 */
export function requestIdOf(request: IncomingMessage): string {
  return acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
}
