import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '../../config';
import { ErrorCode } from '../errors/error-code';

/** How often Node looks for connections past their headers or request timeout. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * After answering a refused request the server reads and discards what the client is still sending
 * for this long before closing: closing with unread data makes the kernel send a reset, and the client
 * loses the answer (64 KB of headers got no response at all that way).
 */
const DRAIN_BEFORE_CLOSE_MS = 1000;

interface ClientErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
}

type ConnectionError = Error & { code?: string; reason?: string };

/**
 * What a connection-level failure (the request never reached a route) answers. Node reports too many
 * header lines with the same HPE_HEADER_OVERFLOW as too many bytes; a connection that has not even
 * read the byte limit can only have hit the count.
 */
export function describeClientError(error: ConnectionError, bytesRead: number, config: AppConfig): ClientErrorAnswer {
  const { maxHeaderBytes, headersTimeoutSeconds, requestTimeoutSeconds } = config.http;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    if (bytesRead < maxHeaderBytes)
      return {
        status: 400,
        code: ErrorCode.TooManyHeaders,
        message: 'The request has more header fields than the server accepts; send fewer',
      };
    return {
      status: 431,
      code: ErrorCode.HeadersTooLarge,
      message: `The request headers are larger than the server accepts (${maxHeaderBytes} bytes)`,
    };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      code: ErrorCode.RequestTimeout,
      message: `The request was not received in time: headers are due within ${headersTimeoutSeconds} s, the whole request within ${requestTimeoutSeconds} s`,
    };
  return {
    status: 400,
    code: ErrorCode.MalformedRequest,
    message: `The request is not valid HTTP: ${error.reason ?? error.message}`,
  };
}

/**
 * Fastify's clientErrorHandler: the request could not be parsed or took too long, so no route (and
 * no exception filter) will see it. Answers the error envelope, then half-closes the connection and
 * drains it (see DRAIN_BEFORE_CLOSE_MS) instead of destroying it.
 */
function answerClientError(config: AppConfig) {
  const answered = new WeakSet<Socket>();
  return (error: ConnectionError, socket: Socket): void => {
    // The client is gone: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    // A response already under way cannot be replaced by another one.
    if (!socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, code, message } = describeClientError(error, socket.bytesRead, config);
    const body = JSON.stringify({ success: false, code, message });
    socket.removeAllListeners('data');
    socket.on('data', () => undefined);
    socket.resume();
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    setTimeout(() => socket.destroy(), DRAIN_BEFORE_CLOSE_MS).unref();
  };
}

/** Errors Fastify meets before routing (a malformed URL, a path parameter over the limit), as envelopes. */
function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const answer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? { status: 414, code: ErrorCode.ValidationFailed, message: 'A path parameter is longer than 512 characters' }
      : {
          status: 400,
          code: ErrorCode.ValidationFailed,
          message: "The URL is not valid: every '%' must start a percent-encoded UTF-8 sequence such as %20",
        };
  void reply.code(answer.status).send({ success: false, code: answer.code, message: answer.message });
}

/**
 * The HTTP server's limits and timeouts (HTTP_* variables), and envelopes for what breaks them: slow
 * or stalled clients are closed (headers are checked every second), oversize headers get 431.
 */
export function httpServerOptions(config: AppConfig): FastifyHttpOptions<Server> {
  const { maxHeaderBytes, connectionTimeoutSeconds, headersTimeoutSeconds, requestTimeoutSeconds } = config.http;
  return {
    connectionTimeout: connectionTimeoutSeconds * 1000,
    requestTimeout: requestTimeoutSeconds * 1000,
    http: {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout: headersTimeoutSeconds * 1000,
      requestTimeout: requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    clientErrorHandler: answerClientError(config),
    frameworkErrors: answerFrameworkError,
  };
}
