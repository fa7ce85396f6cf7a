import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { requiredObjectMembers } from '../dto/fields';
import { ApiException } from './api.exception';
import { CompiledCheck, compileValidation } from './compiled-validation';
import { ErrorCode } from './error-code';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) =>
      text.startsWith(error.property) ? text.replace(error.property, path) : `${path}: ${text}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * The ValidationPipe with a compiled fast path (see compileValidation) tried first: a valid flat body
 * is checked and copied into its class without class-transformer; anything else goes the full way.
 */
export class CompiledValidationPipe extends ValidationPipe {
  private readonly compiled = new Map<Function, CompiledCheck | null>();
  /** The compiled checks implement exactly these options; any other set goes the full way. */
  private readonly fastPath: boolean;

  constructor(options: ValidationPipeOptions) {
    super(options);
    this.fastPath =
      options.whitelist === true &&
      options.forbidNonWhitelisted === true &&
      options.transform === true &&
      !options.transformOptions?.enableImplicitConversion &&
      !options.groups?.length &&
      !options.always &&
      !options.skipMissingProperties &&
      !options.skipNullProperties &&
      !options.skipUndefinedProperties &&
      options.forbidUnknownValues !== false &&
      !options.expectedType;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (metadata.type === 'body' && type && this.toValidate(metadata)) this.checkShape(value, type);
    if (this.fastPath && type && this.toValidate(metadata)) {
      let check = this.compiled.get(type);
      if (check === undefined) this.compiled.set(type, (check = compileValidation(type as new () => object)));
      const instance = check?.(value);
      if (instance) return instance;
    }
    return super.transform(value, metadata);
  }

  private readonly shapes = new Map<Function, { wrappers: readonly string[]; text: string }>();

  /**
   * A body that is not an object, or whose wrapper (`release` of `{"release": {…}}`) is missing or not
   * an object, is answered with the shape expected, before class-transformer or a service sees it.
   */
  private checkShape(value: unknown, type: Function): void {
    let shape = this.shapes.get(type);
    if (!shape) {
      const wrappers = requiredObjectMembers(type);
      const text = wrappers.length ? `{${wrappers.map((name) => `"${name}": {…}`).join(', ')}}` : 'a JSON object';
      this.shapes.set(type, (shape = { wrappers, text }));
    }
    const isObject = (item: unknown) => item !== null && typeof item === 'object' && !Array.isArray(item);
    if (!isObject(value) || shape.wrappers.some((name) => !isObject((value as Record<string, unknown>)[name])))
      throw ApiException.badRequest(`The body must be ${shape.text}`, ErrorCode.InvalidBodyShape);
  }
}

/**
 * Body and query validation for every route: unknown members are refused (so a typo is not silently
 * ignored) and every problem is listed with its path, e.g. `license.maxAllowedSites must be an integer`.
 */
export function createValidationPipe(): ValidationPipe {
  return new CompiledValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      ApiException.badRequest(`Invalid request: ${describe(errors).join('; ')}`, ErrorCode.ValidationFailed),
  });
}
