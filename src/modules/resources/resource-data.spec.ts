import { ApiException } from '../../common/errors';
import { isBinaryFormat, readResourceData } from './resource-data';

describe('readResourceData', () => {
  it('takes text formats as they are and counts UTF-8 bytes', () => {
    expect(readResourceData('<p>é</p>', 'html')).toEqual({ data: '<p>é</p>', bytes: 9 });
    expect(readResourceData('anything', 'string')).toEqual({ data: 'anything', bytes: 8 });
    expect(readResourceData(null, 'png')).toEqual({ data: null, bytes: 0 });
  });

  it('compacts base64 for binary formats and counts decoded bytes', () => {
    for (const length of [0, 1, 2, 3, 4, 100]) {
      const bytes = Buffer.alloc(length, 0xfe);
      const wrapped = bytes.toString('base64').replace(/(.{4})/g, '$1\r\n ');
      expect(readResourceData(wrapped, 'ZIP')).toEqual({ data: bytes.toString('base64'), bytes: length });
    }
  });

  it('refuses data that is not base64 for binary formats, naming the format', () => {
    for (const bad of ['abc', 'QUJD=', 'QU=D', 'QUJD!', 'QQ===', 'Q===']) {
      expect(() => readResourceData(bad, 'binary')).toThrow(ApiException);
    }
    expect(() => readResourceData('@@@@', 'png')).toThrow(/dataFormat "png"/);
  });

  it('checks JSON only for the json format', () => {
    expect(() => readResourceData('{"a":', 'json')).toThrow(/not valid JSON/);
    expect(readResourceData('{"a":', 'txt').bytes).toBe(5);
  });

  it('classifies formats without regard to case or spaces', () => {
    expect(isBinaryFormat(' PNG ')).toBe(true);
    expect(isBinaryFormat('pem')).toBe(false);
    expect(isBinaryFormat(null)).toBe(false);
  });
});
