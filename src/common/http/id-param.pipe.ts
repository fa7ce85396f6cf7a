import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiException } from '../errors';

/** Path ids are int32 in the reference; anything else is a 400 naming the parameter. */
@Injectable()
export class IntIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > 2147483647) {
      throw ApiException.badRequest(`${metadata.data ?? 'id'} must be a positive whole number, got "${value}"`);
    }
    return id;
  }
}
