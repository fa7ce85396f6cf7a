import { Writable } from 'node:stream';
import { loadConfiguration } from '../../config';
import { createRootLogger, pinoLevelOf } from './logger';
import { acceptedRequestId } from './request-id';

describe('request ids', () => {
  it('keeps 1-128 visible ASCII characters and refuses anything else', () => {
    expect(acceptedRequestId('abc-123_DEF.4711')).toBe('abc-123_DEF.4711');
    expect(acceptedRequestId('a'.repeat(128))).toBe('a'.repeat(128));
    for (const refused of ['', 'a'.repeat(129), 'with space', 'line\nbreak', 'ünïcode', '\u0000'])
      expect(acceptedRequestId(refused)).toBeUndefined();
    expect(acceptedRequestId(['a', 'b'])).toBeUndefined();
    expect(acceptedRequestId(undefined)).toBeUndefined();
  });
});

describe('the root logger', () => {
  it('maps Nest levels to pino levels', () => {
    expect(pinoLevelOf(['error', 'fatal'])).toBe('error');
    expect(pinoLevelOf(['fatal', 'error', 'warn', 'log'])).toBe('info');
    expect(pinoLevelOf(['verbose', 'log'])).toBe('trace');
    expect(pinoLevelOf(false)).toBe('silent');
  });

  it('writes JSON lines with secrets redacted', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const config = loadConfiguration({ DATA_DIR: '/tmp/licensing-observability-spec', LOG_LEVEL: 'log' });
    const logger = createRootLogger(config, { destination });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-1', 'x-api-key': 'secret-2' } },
        user: { password: 'secret-3' },
      },
      'hello',
    );
    logger.debug('not at log level');
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'hello', pid: process.pid });
    expect(lines[0]).not.toMatch(/secret-\d/);
    expect(lines[0]).toContain('[Redacted]');
  });

  it('chooses json in production and pretty elsewhere unless LOG_FORMAT says', () => {
    const dir = '/tmp/licensing-observability-spec';
    expect(loadConfiguration({ DATA_DIR: dir, NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfiguration({ DATA_DIR: dir }).logFormat).toBe('pretty');
    expect(loadConfiguration({ DATA_DIR: dir, NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfiguration({ DATA_DIR: dir, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadConfiguration({ DATA_DIR: dir, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
