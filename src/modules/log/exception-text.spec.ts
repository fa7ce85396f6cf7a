import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exceptionText, withoutServerDetails } from './exception-text';

describe('exceptionText', () => {
  const json = (value: unknown) => JSON.stringify(value);

  it('keeps the type and message of an error, never its stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'password_hash')");
    expect(error.stack).toMatch(/\n\s+at /);
    expect(exceptionText(error, json)).toBe("TypeError: Cannot read properties of undefined (reading 'password_hash')");
  });

  it('takes file paths out of the message', async () => {
    const error = await readFile(join(process.cwd(), 'no-such-folder', 'settings.json')).catch((failure) => failure);
    expect(error.message).toContain(process.cwd());
    expect(exceptionText(error, json)).toBe("Error: ENOENT: no such file or directory, open '<path>'");
  });

  it.each([
    [
      'a stack in a string',
      'Boom\n    at Object.<anonymous> (/srv/app/dist/src/main.js:12:7)\n    at node:internal/x',
      'Boom',
    ],
    ['a module path', 'Cannot find module /opt/licensing/node_modules/pg/lib/index.js', 'Cannot find module <path>'],
    [
      'a Windows path',
      'EPERM: operation not permitted, C:\\licensing\\data\\secrets.json',
      'EPERM: operation not permitted, <path>',
    ],
    [
      'a path under a server root',
      "EACCES: permission denied, mkdir '/var/lib/licensing/data'",
      "EACCES: permission denied, mkdir '<path>'",
    ],
    ['no path at all', 'connect ECONNREFUSED 127.0.0.1:25', 'connect ECONNREFUSED 127.0.0.1:25'],
    ['an API path', 'Cannot GET /v1/users/12', 'Cannot GET /v1/users/12'],
  ])('handles %s', (_case, text, expected) => {
    expect(withoutServerDetails(text)).toBe(expected);
  });

  it('writes objects as JSON, cleaned the same way', () => {
    expect(exceptionText({ file: '/home/ada/app/x.ts:3:1', code: 7 }, json)).toBe('{"file":"<path>","code":7}');
    expect(exceptionText(undefined, json)).toBeNull();
  });
});
