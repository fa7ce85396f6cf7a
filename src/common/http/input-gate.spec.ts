import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';
import { MAX_JSON_ARRAY_ITEMS, MAX_JSON_DEPTH, checkParameters, parseJsonBody } from './input-gate';

function refusal(run: () => unknown): { code: ErrorCode; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return { code: (error as ApiException).errorCode, message: (error as ApiException).message };
  }
  throw new Error('not refused');
}

const parse = (text: string) => parseJsonBody(Buffer.from(text, 'utf8'));

describe('parseJsonBody', () => {
  it('parses ordinary JSON, keeps tab, CR, LF and paired surrogates, and answers undefined for a blank body', () => {
    expect(parse('{"a":"x\\ty\\r\\n","b":[1,2,{"c":"\\ud83d\\ude00 ok"}]}')).toEqual({
      a: 'x\ty\r\n',
      b: [1, 2, { c: '\u{1F600} ok' }],
    });
    expect(parse('  \n ')).toBeUndefined();
    expect(parse('null')).toBeNull();
  });

  it('refuses a NUL byte and other C0 controls, naming the field', () => {
    expect(refusal(() => parse('{"license":{"licenseeName":"a\\u0000b"}}'))).toEqual({
      code: ErrorCode.InvalidCharacters,
      message: expect.stringMatching(/^license\.licenseeName contains the control character U\+0000/),
    });
    expect(refusal(() => parse('{"items":[{"name":"ok"},{"name":"\\u001b[31m"}]}')).message).toMatch(
      /^items\[1\]\.name contains the control character U\+001B/,
    );
    expect(refusal(() => parse('{"a\\u0007":1}')).message).toMatch(/member name/);
  });

  it('refuses lone surrogates', () => {
    expect(refusal(() => parse('{"userKey":"\\ud800"}')).message).toMatch(
      /^userKey contains a lone surrogate \(U\+D800\)/,
    );
    expect(refusal(() => parse('{"userKey":"x\\udc00"}')).message).toMatch(/lone surrogate \(U\+DC00\)/);
  });

  it('refuses bytes that are not UTF-8, naming the field', () => {
    const body = Buffer.concat([Buffer.from('{"machineId":"a'), Buffer.from([0xc0, 0x80]), Buffer.from('"}')]);
    expect(refusal(() => parseJsonBody(body))).toEqual({
      code: ErrorCode.InvalidCharacters,
      message: 'machineId is not valid UTF-8',
    });
  });

  it('refuses nesting deeper than the limit without recursing, however deep', () => {
    const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(() => parse(atLimit)).not.toThrow();
    const over = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(refusal(() => parse(over)).code).toBe(ErrorCode.BodyTooComplex);
    const deep = `{"release":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    expect(refusal(() => parse(deep)).code).toBe(ErrorCode.BodyTooComplex);
  });

  it('does not count brackets and commas inside strings', () => {
    const text = JSON.stringify({ note: '['.repeat(500) + ','.repeat(20_000), list: [1, 2, 3] });
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('refuses an array longer than the limit', () => {
    const fits = JSON.stringify({ settings: Array.from({ length: MAX_JSON_ARRAY_ITEMS }, () => 0) });
    expect(() => parse(fits)).not.toThrow();
    const over = JSON.stringify({ settings: Array.from({ length: MAX_JSON_ARRAY_ITEMS + 1 }, () => 0) });
    expect(refusal(() => parse(over))).toEqual({
      code: ErrorCode.BodyTooComplex,
      message: `An array in the request body has more than ${MAX_JSON_ARRAY_ITEMS} items`,
    });
  });

  it('leaves malformed JSON to JSON.parse (answered as code 101 by the filter)', () => {
    expect(() => parse('{"a":')).toThrow(SyntaxError);
  });
});

describe('checkParameters', () => {
  it('refuses control characters in query and path parameters, naming them', () => {
    expect(() => checkParameters({ filter: 'Name == "x"', sort: ['a', 'b'] }, 'query parameter')).not.toThrow();
    expect(refusal(() => checkParameters({ filter: 'a\u0000' }, 'query parameter')).message).toMatch(
      /^The query parameter "filter" contains the control character U\+0000/,
    );
    expect(refusal(() => checkParameters({ id: '1\u0007' }, 'path parameter')).message).toMatch(
      /^The path parameter "id"/,
    );
    expect(refusal(() => checkParameters({ sort: ['a', '\ud800'] }, 'query parameter')).code).toBe(
      ErrorCode.InvalidCharacters,
    );
  });
});
