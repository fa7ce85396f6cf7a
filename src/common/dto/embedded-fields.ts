import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * A related record the server embeds on read (`include`) and ignores on input. Clients, SDKs and the
 * reference's own examples send it back as they received it, so it is accepted without being
 * validated: what it contains never changes anything.
 */
export const Embedded = (type: () => new () => object, description: string) =>
  applyDecorators(ApiPropertyOptional({ type: () => type(), nullable: true, description }), Allow());

/**
 * Embedded records, given by their class or by their schema's name (`'Management.ProductOrder'`) where the class
 * belongs to a module that embeds this one in turn: naming it keeps the two modules from importing each other.
 */
export const EmbeddedArray = (type: (() => new () => object) | string, description: string) =>
  applyDecorators(
    typeof type === 'string'
      ? ApiPropertyOptional({ type: 'array', items: { $ref: getSchemaPath(type) }, nullable: true, description })
      : ApiPropertyOptional({ type: () => [type()], nullable: true, description }),
    Allow(),
  );
