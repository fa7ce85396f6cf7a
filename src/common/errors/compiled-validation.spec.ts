import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidateRequest } from '../../modules/licensing-api/licensing-api.dto';
import { compileValidation } from './compiled-validation';
import { CompiledValidationPipe, createValidationPipe } from './validation';

/** Every exported class of every *.dto.ts under src/ that carries class-validator rules. */
function requestClasses(): Array<new () => object> {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.dto.ts')) files.push(path);
    }
  };
  walk(join(__dirname, '..', '..'));
  const classes = files
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>))
    .filter((value): value is new () => object => typeof value === 'function');
  return [...new Set(classes)].filter(
    (type) => getMetadataStorage().getTargetValidationMetadatas(type, '', false, false, undefined).length > 0,
  );
}

/** Values that hit the usual rules from both sides: types, lengths, emptiness, formats, ranges. */
const SAMPLES: unknown[] = [
  undefined,
  null,
  '',
  '   ',
  'x',
  'ABCDE-FGHIJ-KLMNO-PQRST',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(256),
  'a'.repeat(257),
  'user@example.com',
  'not an email',
  '2026-01-31T10:00:00Z',
  '2026-13-45',
  '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  'Administrator',
  'CreatedAt desc',
  0,
  1,
  2,
  -1,
  1.5,
  2 ** 31,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  [],
  ['a'],
  ['a'.repeat(300)],
  [1],
  {},
  { name: 'x' },
];

/** A seeded generator, so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** A body as the JSON parser hands it over (structuredClone would build it in another realm under Jest). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** What class-validator decides, with the members it complains about. */
async function fullPipeOutcome(
  pipe: ValidationPipe,
  value: unknown,
  metadata: ArgumentMetadata,
): Promise<{ accepted: boolean; result?: unknown; faulty: string[] }> {
  try {
    return { accepted: true, result: await pipe.transform(asJson(value), metadata), faulty: [] };
  } catch (error) {
    if (error instanceof FaultyMembers) return { accepted: false, faulty: error.members };
    throw error;
  }
}

class FaultyMembers extends Error {
  constructor(readonly members: string[]) {
    super(members.join(', '));
  }
}

describe('compileValidation', () => {
  const reference = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new FaultyMembers(errors.map((error) => error.property)),
  });
  const classes = requestClasses();

  it('finds the request classes of every module', () => {
    expect(classes.length).toBeGreaterThan(40);
    expect(classes).toContain(ValidateRequest);
  });

  it('never accepts a body that class-validator refuses, and accepts it as the same instance when both accept (every DTO, random bodies)', async () => {
    const next = random(42);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    let compiledClasses = 0;
    let fastAccepted = 0;
    let refused = 0;
    for (const type of classes) {
      const check = compileValidation(type);
      if (!check) continue;
      compiledClasses++;
      const metadata: ArgumentMetadata = { type: 'body', metatype: type };
      const names = [
        ...new Set(
          getMetadataStorage()
            .getTargetValidationMetadatas(type, '', false, false, undefined)
            .map((rule) => rule.propertyName),
        ),
      ];
      // Each round starts from random members and repairs what class-validator complains about
      // (dropping or redrawing it), so both valid and invalid bodies of every class are compared.
      for (let round = 0; round < 40; round++) {
        const body: Record<string, unknown> = {};
        for (const name of names) if (next() < 0.7) body[name] = pick(SAMPLES);
        if (next() < 0.1) body.unknownMember = 'x';
        for (let repair = 0; repair < 8; repair++) {
          const fast = check(asJson(body));
          const full = await fullPipeOutcome(reference, body, metadata);
          if (fast) {
            fastAccepted++;
            expect({ type: type.name, body, accepted: full.accepted }).toEqual({
              type: type.name,
              body,
              accepted: true,
            });
            expect(fast).toBeInstanceOf(type);
            expect(fast).toEqual(full.result);
          }
          if (full.accepted) break;
          refused++;
          for (const member of full.faulty) {
            if (next() < 0.5 || !names.includes(member)) delete body[member];
            else body[member] = pick(SAMPLES);
          }
        }
      }
    }
    expect(compiledClasses).toBeGreaterThan(20);
    expect(fastAccepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('takes the fast path for a valid licensing body and copies it into the class', () => {
    const check = compileValidation(ValidateRequest)!;
    const result = check({ userKey: 'ABCDE-FGHIJ-KLMNO-PQRST', licenseToken: 'fltk_abcdefghijkl', machineId: null });
    expect(result).toBeInstanceOf(ValidateRequest);
    expect(result).toMatchObject({
      userKey: 'ABCDE-FGHIJ-KLMNO-PQRST',
      licenseToken: 'fltk_abcdefghijkl',
      machineId: null,
    });
  });

  it('leaves to the full pipe what it cannot vouch for', () => {
    const check = compileValidation(ValidateRequest)!;
    expect(check({ userKey: 'a'.repeat(257) })).toBeNull();
    expect(check({ userKey: 'ABCDE', unknown: 1 })).toBeNull();
    expect(check({})).toBeNull();
    expect(check(JSON.parse('{"userKey":"ABCDE","__proto__":{"polluted":true}}'))).toBeNull();
    expect(check([{ userKey: 'ABCDE' }])).toBeNull();
    expect(check('ABCDE')).toBeNull();
    expect(check(null)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not compile classes whose copy class-transformer shapes (nested types)', () => {
    const nested = classes.filter((type) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(type, '', false, false, undefined)
        .some((rule) => rule.type === 'nestedValidation'),
    );
    expect(nested.length).toBeGreaterThan(0);
    for (const type of nested) expect(compileValidation(type)).toBeNull();
  });
});

describe('CompiledValidationPipe', () => {
  const metadata: ArgumentMetadata = { type: 'body', metatype: ValidateRequest };

  it('answers the full pipe message for an invalid body', async () => {
    const pipe = createValidationPipe();
    await expect(pipe.transform({ userKey: 42, extra: true }, metadata)).rejects.toMatchObject({
      message: expect.stringMatching(
        /userKey must be a string.*property extra should not exist|property extra should not exist.*userKey must be a string/,
      ),
    });
  });

  it('does not call the full pipe for a valid body', async () => {
    const pipe = createValidationPipe();
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      const result = await pipe.transform({ userKey: 'ABCDE-FGHIJ-KLMNO-PQRST' }, metadata);
      expect(result).toBeInstanceOf(ValidateRequest);
      expect(full).not.toHaveBeenCalled();
    } finally {
      full.mockRestore();
    }
  });

  it('goes the full way when its options are not the ones the compiled checks implement', async () => {
    const pipe = new CompiledValidationPipe({ whitelist: true, transform: true });
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      await pipe.transform({ userKey: 'ABCDE', extra: 1 }, metadata);
      expect(full).toHaveBeenCalled();
    } finally {
      full.mockRestore();
    }
  });
});
