import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, map } from 'rxjs';
import { ErrorCode } from '../errors';

/**
 * Wraps whatever a handler returns in the success envelope. Handlers return only their payload
 * (`{ users, totalUsersCount }`), and may set `message` themselves.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      map((payload) => {
        const body = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
        return { success: true, code: ErrorCode.Success, message: 'OK', ...body };
      }),
    );
  }
}
