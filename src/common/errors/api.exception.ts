import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-code';

/**
 * The one exception type services throw for expected failures. The global filter turns it into the
 * `{success:false, code, message}` envelope with `status` as the HTTP status.
 */
export class ApiException extends HttpException {
  constructor(
    readonly errorCode: ErrorCode,
    message: string,
    status: HttpStatus,
    /** Extra envelope members for clients that need more than the message (e.g. seat counts). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message, status);
  }

  static badRequest(message: string, code = ErrorCode.ValidationFailed, details?: Record<string, unknown>) {
    return new ApiException(code, message, HttpStatus.BAD_REQUEST, details);
  }

  static notFound(message: string, code = ErrorCode.NotFound) {
    return new ApiException(code, message, HttpStatus.NOT_FOUND);
  }

  static conflict(message: string, code = ErrorCode.Conflict, details?: Record<string, unknown>) {
    return new ApiException(code, message, HttpStatus.CONFLICT, details);
  }

  static forbidden(message: string, code = ErrorCode.Forbidden) {
    return new ApiException(code, message, HttpStatus.FORBIDDEN);
  }

  static unauthorized(message: string, code = ErrorCode.Unauthorized) {
    return new ApiException(code, message, HttpStatus.UNAUTHORIZED);
  }
}
