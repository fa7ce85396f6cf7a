import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth';
import { REQUEST_EXCEPTION } from '../../common/errors';
import { DatabaseLogService } from './database-log.service';
import type { LogLevelName } from './log-level';

/** The global filter leaves the exception it answered under REQUEST_EXCEPTION (never sent to the client). */
type LoggedRequest = FastifyRequest & { user?: Principal; [REQUEST_EXCEPTION]?: unknown };

export const REQUEST_LOG_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms';

/** Probes and the API documentation are not API calls; logging every probe would drown the log. */
const LOGGED_PATH = /^\/v\d+(\/|$)/;

export function levelForStatus(status: number): LogLevelName {
  if (status >= 500) return 'Error';
  if (status >= 400) return 'Warning';
  return 'Information';
}

/**
 * Logs every API call once its response has been sent (Fastify onResponse), so 401/403 answered by
 * the guard, 404s for unknown routes and errors answered by the global filter are logged too, and
 * the request never waits for the log.
 */
@Injectable()
export class RequestLogHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly log: DatabaseLogService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.<FastifyInstance | undefined>();
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      try {
        this.record(request, reply);
      } catch {
        // Never let logging affect the request.
      }
      done();
    });
  }

  private record(request: LoggedRequest, reply: FastifyReply): void {
    const path = request.url.split('?', 1)[0];
    if (!LOGGED_PATH.test(path)) return;
    const status = reply.statusCode;
    const principal = request.user;
    const properties: Record<string, unknown> = {
      RequestMethod: request.method,
      RequestPath: path,
      Route: request.routeOptions?.url ?? null,
      StatusCode: status,
      Elapsed: Math.round(reply.elapsedTime * 10_000) / 10_000,
      Principal: principal?.userName ?? null,
      PrincipalKind: principal?.kind ?? null,
      UserId: principal?.userId ?? null,
      ApiKeyId: principal?.apiKeyId ?? null,
      ClientAddress: request.ip,
      RequestId: request.id,
    };
    const error = request[REQUEST_EXCEPTION];
    if (error !== undefined && status < 500 && error instanceof HttpException) properties.ErrorMessage = error.message;
    this.log.write(
      levelForStatus(status),
      REQUEST_LOG_TEMPLATE,
      properties,
      status >= 500 ? describeError(error) : undefined,
    );
  }
}

function describeError(error: unknown): unknown {
  if (error === undefined) return undefined;
  // An expected failure (e.g. the SMTP server refusing) is known by its message; a crash by its stack.
  if (error instanceof HttpException) return `${error.name}: ${error.message}`;
  return error;
}
