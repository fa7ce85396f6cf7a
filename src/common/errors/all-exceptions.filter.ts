import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { ApiException } from './api.exception';
import { ErrorCode } from './error-code';

interface Envelope {
  status: number;
  body: { success: false; code: number; message: string; [key: string]: unknown };
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  503: ErrorCode.DatabaseUnavailable,
};

/** PostgreSQL SQLSTATEs that mean the request, not the server, is at fault. */
const PG_CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  '23505': { status: 409, code: ErrorCode.Duplicate, message: 'A record with the same unique value already exists' },
  '23503': {
    status: 409,
    code: ErrorCode.InUse,
    message: 'The record is referenced by or references another record that blocks this change',
  },
  '22P02': { status: 400, code: ErrorCode.ValidationFailed, message: 'A value has the wrong format' },
  '22003': { status: 400, code: ErrorCode.ValidationFailed, message: 'A number is out of range' },
  '22001': { status: 400, code: ErrorCode.ValidationFailed, message: 'A text value is too long' },
  '22007': { status: 400, code: ErrorCode.ValidationFailed, message: 'A date has the wrong format' },
  '22008': { status: 400, code: ErrorCode.ValidationFailed, message: 'A date is out of range' },
};

/**
 * Where the filter leaves the exception it answered on the request, for the request log (which
 * keeps a crash's stack in the database, never in the response).
 */
export const REQUEST_EXCEPTION = Symbol.for('licensing:requestException');

/** Socket failures; from PostgreSQL's connection they mean the database is out of reach. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATEs of a lost or refused connection: class 08, shutdowns (57P01-57P03), too many connections. */
const PG_CONNECTION_STATE = /^(08...|57P0[123]|53300)$/;

/** node-postgres's own errors for a connection that broke or never came (they carry no code). */
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

type ErrorWithCode = { code?: unknown; syscall?: unknown; severity?: unknown; message?: unknown };

/**
 * Only PostgreSQL being out of reach is a 503: a SQLSTATE of lost connections, node-postgres's
 * connection messages, or a socket error that TypeORM wrapped around a query or that has a system
 * call (connect, read, write) behind it. A socket error without one is the client's own request
 * stream breaking off (Node's 'aborted', code ECONNRESET), which says nothing about the database.
 */
export function isDatabaseConnectionError(exception: unknown): boolean {
  const wrapped = exception instanceof QueryFailedError;
  const error = (wrapped ? exception.driverError : exception) as ErrorWithCode | undefined;
  if (!error || typeof error !== 'object') return false;
  const { code, syscall, severity, message } = error;
  if (typeof code === 'string' && typeof severity === 'string' && PG_CONNECTION_STATE.test(code)) return true;
  if (typeof code === 'string' && NETWORK_ERRORS.has(code) && (wrapped || typeof syscall === 'string')) return true;
  return typeof message === 'string' && !code && PG_CONNECTION_MESSAGE.test(message);
}

interface LoggedRequest {
  id?: string;
  method?: string;
  url?: string;
  raw?: IncomingMessage;
}

/** How console lines name a request: the id ties them to the request's entry in the database log. */
function describeRequest(request: LoggedRequest | undefined): string {
  return `${request?.method} ${request?.url}${request?.id ? ` [request ${request.id}]` : ''}`;
}

/** The client hung up before its request was complete: its request stream broke off or was destroyed. */
function isClientAbort(exception: unknown, raw: IncomingMessage | undefined): boolean {
  const error = exception as ErrorWithCode | undefined;
  const streamError =
    typeof error?.code === 'string' &&
    ['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(error.code) &&
    error.syscall === undefined;
  return streamError || (raw !== undefined && !raw.complete && (raw.destroyed || raw.socket?.destroyed === true));
}

/**
 * The one place errors become responses: the `{success:false, code, message}` envelope with a real
 * HTTP status and the request's id in X-Request-Id. Unexpected errors are logged with their stack to
 * the console (the database log keeps only their type and message) and answered as a plain 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse();
    const request = http.getRequest();
    request[REQUEST_EXCEPTION] = exception;
    const { status, body } = this.toEnvelope(exception, request);
    if (request.id) reply.header('X-Request-Id', request.id);
    if ((status === 429 || status === 503) && exception instanceof HttpException) {
      const retryAfter =
        exception instanceof ApiException
          ? exception.details?.retryAfterSeconds
          : (exception.getResponse() as { retryAfter?: number })?.retryAfter;
      if (retryAfter) reply.header('Retry-After', String(retryAfter));
    }
    reply.status(status).send(body);
  }

  toEnvelope(exception: unknown, request?: LoggedRequest): Envelope {
    if (exception instanceof ApiException) {
      return this.envelope(exception.getStatus(), exception.errorCode, exception.message, exception.details);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return this.envelope(
        status,
        CODE_BY_STATUS[status] ?? ErrorCode.InternalError,
        this.httpExceptionMessage(exception),
      );
    }
    if (!isDatabaseConnectionError(exception) && isClientAbort(exception, request?.raw)) {
      this.logger.debug(`${describeRequest(request)}: the client closed the connection mid-request`);
      return this.envelope(
        400,
        ErrorCode.MalformedRequest,
        'The client closed the connection before the request was complete',
      );
    }
    const fastifyStatus = (exception as { statusCode?: number })?.statusCode;
    const fastifyCode = (exception as { code?: string })?.code;
    if (
      typeof fastifyStatus === 'number' &&
      fastifyStatus >= 400 &&
      fastifyStatus < 500 &&
      typeof fastifyCode === 'string' &&
      fastifyCode.startsWith('FST_')
    ) {
      return this.fastifyError(fastifyStatus, fastifyCode, (exception as Error).message);
    }
    if (exception instanceof QueryFailedError) {
      const sqlState = (exception.driverError as { code?: string })?.code ?? '';
      const known = PG_CLIENT_ERRORS[sqlState];
      if (known) {
        const detail = (exception.driverError as { detail?: string })?.detail;
        this.logger.warn(
          `${describeRequest(request)}: ${sqlState} ${exception.message}${detail ? ` (${detail})` : ''}`,
        );
        return this.envelope(known.status, known.code, known.message);
      }
    }
    if (isDatabaseConnectionError(exception)) {
      const reason = (exception instanceof QueryFailedError ? exception.driverError : (exception as Error))?.message;
      this.logger.error(`${describeRequest(request)}: database unavailable (${reason})`);
      return this.envelope(
        HttpStatus.SERVICE_UNAVAILABLE,
        ErrorCode.DatabaseUnavailable,
        'The database is unavailable; try again shortly',
      );
    }
    this.logger.error(
      `${describeRequest(request)}: ${exception instanceof Error ? exception.stack : String(exception)}`,
    );
    return this.envelope(
      HttpStatus.INTERNAL_SERVER_ERROR,
      ErrorCode.InternalError,
      'An unexpected error occurred; it has been logged',
    );
  }

  private fastifyError(status: number, code: string, message: string): Envelope {
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || /JSON/i.test(message)) {
      return this.envelope(400, ErrorCode.MalformedJson, `The request body is not valid JSON: ${message}`);
    }
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return this.envelope(413, ErrorCode.PayloadTooLarge, 'The request body is larger than the server accepts');
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return this.envelope(
        415,
        ErrorCode.UnsupportedMediaType,
        'Send the body as application/json or application/json-patch+json',
      );
    return this.envelope(status, CODE_BY_STATUS[status] ?? ErrorCode.ValidationFailed, message);
  }

  private httpExceptionMessage(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
    return exception.message;
  }

  private envelope(status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): Envelope {
    return { status, body: { ...(details ?? {}), success: false, code, message } };
  }
}
