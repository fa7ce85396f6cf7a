import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException } from './api.exception';
import { ErrorCode } from './error-code';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => (text.startsWith(error.property) ? text.replace(error.property, path) : `${path}: ${text}`));
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Body and query validation for every route: unknown members are refused (so a typo is not silently
 * ignored) and every problem is listed with its path, e.g. `license.maxAllowedSites must be an integer`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => ApiException.badRequest(`Invalid request: ${describe(errors).join('; ')}`, ErrorCode.ValidationFailed),
  });
}
