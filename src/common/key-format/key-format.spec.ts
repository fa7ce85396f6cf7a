import { HttpStatus } from '@nestjs/common';
import { ApiException, ErrorCode } from '../errors';
import { DEFAULT_KEY_FORMATS, generateKey, validateKeyFormat } from './key-format';

function rejection(format: string): ApiException {
  try {
    validateKeyFormat(format);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return error;
  }
  throw new Error(`"${format}" was accepted`);
}

describe('key formats', () => {
  it.each([
    ['licenseId', /^lic[0-9A-F]{8}$/],
    ['userKey', /^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/],
    ['customerCode', /^C-[A-Z0-9]{8}$/],
    ['orderNumber', /^O-[A-Z0-9]{8}$/],
    ['activationToken', /^actk_[a-z0-9]{12}$/],
    ['floatingToken', /^fltk_[a-z0-9]{12}$/],
    ['apiKey', /^api_[a-z0-9]{24}$/],
  ] as const)('should generate the default %s in its documented shape', (name, shape) => {
    for (let i = 0; i < 200; i++) expect(generateKey(DEFAULT_KEY_FORMATS[name])).toMatch(shape);
  });

  it('should fill every placeholder kind from its own alphabet and copy literals', () => {
    expect(generateKey('x{hex:6}.{DEC:10}/{token:3}{TOKEN:3}')).toMatch(
      /^x[0-9a-f]{6}\.[0-9]{10}\/[a-z0-9]{3}[A-Z0-9]{3}$/,
    );
  });

  it('should not repeat keys', () => {
    const keys = new Set(Array.from({ length: 5000 }, () => generateKey(DEFAULT_KEY_FORMATS.userKey)));
    expect(keys.size).toBe(5000);
  });

  it('should use every character of an alphabet about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      for (const character of generateKey('{TOKEN:36}')) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    expect(counts.size).toBe(36);
    // 36,000 draws over 36 symbols: 1000 expected each, chi-square with 35 degrees of freedom.
    const chiSquare = [...counts.values()].reduce((sum, count) => sum + (count - 1000) ** 2 / 1000, 0);
    expect(chiSquare).toBeLessThan(80); // p < 0.00003 for a fair source
  });

  it('should accept every default', () => {
    for (const format of Object.values(DEFAULT_KEY_FORMATS)) expect(() => validateKeyFormat(format)).not.toThrow();
  });

  it.each([
    ['{TOKEN:0}', 'between 1 and 64'],
    ['{TOKEN:65}', 'between 1 and 64'],
    ['{TOKEN:x}', 'must look like {KIND:n}'],
    ['{TOKEN}', 'must look like {KIND:n}'],
    ['{WORD:8}', 'unknown placeholder kind "WORD"'],
    ['{TOKEN:8', 'unbalanced "{"'],
    ['TOKEN:8}', 'unbalanced "}"'],
    ['{{TOKEN:8}}', 'must look like {KIND:n}'],
    ['LICENSE', 'no random placeholder'],
    ['', 'no random placeholder'],
    ['{HEX:4}-{DEC:4}', '29.3 bits, at least 32'],
  ])('should refuse %j with a 400 saying %s', (format, problem) => {
    const error = rejection(format);
    expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    expect(error.errorCode).toBe(ErrorCode.ValidationFailed);
    expect(error.message).toContain(problem);
  });

  it('should refuse to generate from a malformed format', () => {
    expect(() => generateKey('{TOKEN:x}')).toThrow(ApiException);
  });
});
