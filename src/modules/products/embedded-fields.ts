import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * A related record the server embeds on read (`include`) and ignores on input. Clients, SDKs and the
 * reference's own examples send it back as they received it, so it is accepted without being
 * validated: what it contains never changes anything.
 */
export const Embedded = (type: () => new () => object, description: string) =>
  applyDecorators(ApiPropertyOptional({ type: () => type(), nullable: true, description }), Allow());

export const EmbeddedArray = (type: () => new () => object, description: string) =>
  applyDecorators(ApiPropertyOptional({ type: () => [type()], nullable: true, description }), Allow());
