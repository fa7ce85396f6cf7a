import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
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
  IsObject,
  ValidateBy,
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

/**
 * An optional foreign key (an int id). `0` means "no reference" and becomes null before validation,
 * as the reference's example bodies and typed clients with non-nullable integers send it; any other
 * value must be a positive int32, and the service checks that the record exists (404/400 as before).
 */
export const OptionalReference = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      format: 'int32',
      nullable: true,
      minimum: 0,
      maximum: 2147483647,
      description: description ? `${description}; 0 or null for none` : '0 or null for none',
    }),
    Transform(({ value }) => (value === 0 ? null : value)),
    IsOptional(),
    nullable(),
    IsInt({ message: '$property must be a whole number (an id), or 0 for none' }),
    Min(1, { message: '$property must be a positive id, or 0 for none' }),
    Max(2147483647, { message: '$property must be an id below 2^31' }),
  );

/** A required foreign key: a positive int32; the service checks that the record exists. */
export const RequiredReference = (description?: string) =>
  applyDecorators(
    ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647, description }),
    IsInt({ message: '$property must be a whole number (an id)' }),
    Min(1, { message: '$property must be a positive id' }),
    Max(2147483647, { message: '$property must be an id below 2^31' }),
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

/** True when `value` has at most `scale` digits after the point (allowing for binary floating point: 19.99 does). */
export function fitsScale(value: number, scale: number): boolean {
  const scaled = value * 10 ** scale;
  return Math.abs(scaled - Math.round(scaled)) <= Math.max(1e-6, Math.abs(scaled) * 1e-15);
}

/**
 * A number stored in a `numeric(precision, scale)` column (money is numeric(18,4)): a value the
 * column would round (more than `scale` decimals) or cannot hold (10^(precision-scale) or more) is
 * refused rather than silently changed.
 */
export const OptionalDecimal = (options: {
  precision: number;
  scale: number;
  min?: number;
  max?: number;
  description?: string;
}) => {
  // numeric(18,4) holds up to 99,999,999,999,999.9999: below 10^14, which a double cannot tell from 10^14 - 0.0001.
  const limit = 10 ** (options.precision - options.scale);
  return applyDecorators(
    ApiPropertyOptional({
      type: 'number',
      format: 'double',
      nullable: true,
      minimum: options.min,
      maximum: options.max,
      multipleOf: 10 ** -options.scale,
      description: [options.description, `numeric(${options.precision},${options.scale}): below ${limit}`]
        .filter(Boolean)
        .join('; '),
    }),
    IsOptional(),
    nullable(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    ...(options.min !== undefined ? [Min(options.min)] : []),
    ...(options.max !== undefined ? [Max(options.max)] : []),
    ValidateBy({
      name: 'fitsNumeric',
      constraints: [options.precision, options.scale],
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'number' || (Math.abs(value) < limit && fitsScale(value, options.scale)),
        defaultMessage: () =>
          `$property must be below ${limit} with at most ${options.scale} digits after the decimal point`,
      },
    }),
  );
};

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

const REQUIRED_OBJECT_MEMBERS = Symbol('requiredObjectMembers');

/** Records a member that must hold an object, so that the validation pipe can name the body's shape. */
const RequiredObjectMember = (): PropertyDecorator => (target, key) => {
  const inherited: string[] = Reflect.getMetadata(REQUIRED_OBJECT_MEMBERS, target.constructor) ?? [];
  Reflect.defineMetadata(REQUIRED_OBJECT_MEMBERS, [...inherited, String(key)], target.constructor);
};

/** The members declared with `Nested(…, { required: true })`: the wrapper of a body (`release` of `{"release": {…}}`). */
export function requiredObjectMembers(type: Function): readonly string[] {
  return Reflect.getMetadata(REQUIRED_OBJECT_MEMBERS, type) ?? [];
}

/**
 * A nested object, validated with its own class. It must be an object: without IsObject an array
 * passes, since ValidateNested validates each item of one, and `{"release": []}` would be an empty release.
 */
export const Nested = (type: () => new () => object, options: { required?: boolean; description?: string } = {}) =>
  applyDecorators(
    // Swagger resolves a lazy type only from a function literally named `type`.
    options.required
      ? ApiProperty({ type: () => type(), description: options.description })
      : ApiPropertyOptional({ type: () => type(), nullable: true, description: options.description }),
    // ValidateNested passes a missing object; a required one must be there to validate.
    ...(options.required ? [IsDefined(), RequiredObjectMember()] : [IsOptional(), nullable()]),
    IsObject({ message: '$property must be an object' }),
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
