import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDateString,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  IsArray,
  IsEmail,
  ValidateIf,
} from 'class-validator';

/**
 * Field decorators that keep the Swagger schema and the validation rules of a DTO member in one line.
 * "Optional" members also accept null, since the reference's clients send null for "no value".
 */
const nullable = () => ValidateIf((_, value) => value !== null && value !== undefined);

export const OptionalString = (maxLength = 256, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, maxLength, description }),
    IsOptional(),
    nullable(),
    IsString(),
    MaxLength(maxLength),
  );

export const RequiredString = (maxLength = 256, description?: string) =>
  applyDecorators(ApiProperty({ type: String, maxLength, description }), IsString(), MaxLength(maxLength));

export const OptionalEmail = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, format: 'email', description }),
    IsOptional(),
    nullable(),
    IsEmail({}, { message: '$property must be a valid email address' }),
    MaxLength(256),
  );

export const OptionalDate = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description }),
    IsOptional(),
    nullable(),
    IsDateString({ strict: false }, { message: '$property must be an ISO-8601 date' }),
  );

export const OptionalInt = (options: { min?: number; max?: number; description?: string } = {}) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      format: 'int32',
      nullable: true,
      minimum: options.min,
      maximum: options.max,
      description: options.description,
    }),
    IsOptional(),
    nullable(),
    IsInt(),
    Min(options.min ?? -2147483648),
    Max(options.max ?? 2147483647),
  );

export const OptionalNumber = (options: { min?: number; max?: number; description?: string } = {}) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'number',
      format: 'double',
      nullable: true,
      minimum: options.min,
      maximum: options.max,
      description: options.description,
    }),
    IsOptional(),
    nullable(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    ...(options.min !== undefined ? [Min(options.min)] : []),
    ...(options.max !== undefined ? [Max(options.max)] : []),
  );

export const OptionalBoolean = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: Boolean, nullable: true, description }),
    IsOptional(),
    nullable(),
    IsBoolean(),
  );

export const OptionalUuid = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description }),
    IsOptional(),
    nullable(),
    IsUUID('all', { message: '$property must be a UUID' }),
  );

export const OptionalEnum = (values: readonly (string | number)[], description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ enum: values as (string | number)[], nullable: true, description }),
    IsOptional(),
    nullable(),
    IsIn(values as unknown[], { message: `$property must be one of ${values.join(', ')}` }),
  );

export const OptionalStringArray = (maxLength = 256, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], nullable: true, description }),
    IsOptional(),
    nullable(),
    IsArray(),
    IsString({ each: true }),
    MaxLength(maxLength, { each: true }),
  );

/** A nested object, validated with its own class. */
export const Nested = (type: () => new () => object, options: { required?: boolean; description?: string } = {}) =>
  applyDecorators(
    // Swagger resolves a lazy type only from a function literally named `type`.
    options.required
      ? ApiProperty({ type: () => type(), description: options.description })
      : ApiPropertyOptional({ type: () => type(), nullable: true, description: options.description }),
    // ValidateNested passes a missing object; a required one must be there to validate.
    ...(options.required ? [IsDefined()] : [IsOptional(), nullable()]),
    ValidateNested(),
    Type(type),
  );

/** An array of nested objects, validated each with its class. */
export const NestedArray = (type: () => new () => object, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: () => [type()], nullable: true, description }),
    IsOptional(),
    nullable(),
    IsArray(),
    ValidateNested({ each: true }),
    Type(type),
  );

/** Response-only members: documented, never validated (they are never read from a request). */
export const Out = (options: Parameters<typeof ApiProperty>[0] = {}) =>
  ApiProperty({ required: false, ...options } as Parameters<typeof ApiProperty>[0]);
