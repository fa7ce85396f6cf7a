import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENT, IdempotencyCaller } from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * Makes a POST accept an `Idempotency-Key` header: the first request's answer is stored and repeats get it back
 * with `Idempotent-Replayed: true` instead of running again (src/common/idempotency/idempotency.interceptor.ts).
 * The interceptor is attached to these routes only, so every other route pays nothing for it.
 */
export const Idempotent = (caller: IdempotencyCaller = 'principal'): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, caller),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe: 1 to 255 printable ASCII characters (a UUID per logical request). The first answer is ' +
        'kept for IDEMPOTENCY_TTL_HOURS (24 h) per caller and key; a repeat with the same body gets it again with ' +
        '`Idempotent-Replayed: true` and changes nothing, a repeat with another body 422, a repeat while the first ' +
        'still runs 409. A refused or failed first request is not kept.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
    }),
  );
