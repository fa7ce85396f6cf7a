import { SetMetadata } from '@nestjs/common';
import { ErrorCode } from '../errors/error-code';

export const API_ERRORS = 'openapi:errors';

/** An error a route can answer, with when it happens when the code's own meaning is not enough. */
export interface ErrorCase {
  code: ErrorCode;
  when?: string;
  /** A message the route really answers with this code, when it differs from the catalog's example. */
  example?: string;
  /** The key of its example when the route has another of the same code (default: the code's name). */
  exampleName?: string;
}

/**
 * Declares the errors of a route (or of every route of a controller) that cannot be read from its access,
 * inputs and guards: conflicts, references that may not exist, refusals of the client API. Only the OpenAPI
 * document reads it (documentErrors); the HTTP status of each code comes from ERROR_CATALOG.
 */
export const ApiErrors = (...errors: Array<ErrorCode | ErrorCase>): ClassDecorator & MethodDecorator =>
  SetMetadata<string, ErrorCase[]>(
    API_ERRORS,
    errors.map((error) => (typeof error === 'number' ? { code: error } : error)),
  );
