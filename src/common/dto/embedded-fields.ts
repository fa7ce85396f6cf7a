import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional, ValidateIf } from 'class-validator';
import { Nested, NestedArray } from './fields';

/**
 * A related record the server embeds on read (`include`) and ignores on input. Clients, SDKs and the
 * reference's own examples send it back as they received it, so it is accepted, but validated with
 * its own class like any other member: what the server sends never holds 1e308 in an id or an array
 * where an object belongs, so a body that does is refused rather than half-read.
 */
export const Embedded = (type: () => new () => object, description: string) => Nested(type, { description });

/**
 * Embedded records, given by their class or by their schema's name (`'Management.ProductOrder'`) where the class
 * belongs to a module that embeds this one in turn: naming it keeps the two modules from importing each other.
 * Records named by schema cannot be validated with their class here: they must be an array of objects, whose
 * strings the input gate still checks.
 */
export const EmbeddedArray = (type: (() => new () => object) | string, description: string) =>
  typeof type === 'string'
    ? applyDecorators(
        ApiPropertyOptional({ type: 'array', items: { $ref: getSchemaPath(type) }, nullable: true, description }),
        IsOptional(),
        ValidateIf((_, value) => value !== null && value !== undefined),
        IsArray(),
        IsObject({ each: true, message: 'each item of $property must be an object' }),
      )
    : NestedArray(type, description);
