import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AllExceptionsFilter } from '../../common/errors';
import { DatabaseLogService } from './database-log.service';
import { RequestLogHook, levelForStatus } from './request-logging';

type Hook = (request: object, reply: object, done: () => void) => void;

function setup() {
  let hook: Hook | undefined;
  const fastify = { addHook: jest.fn((_name: string, handler: Hook) => (hook = handler)) };
  const adapterHost = { httpAdapter: { getInstance: () => fastify } } as unknown as HttpAdapterHost;
  const log = { write: jest.fn() } as unknown as DatabaseLogService & { write: jest.Mock };
  new RequestLogHook(adapterHost, log).onModuleInit();
  const respond = (request: Record<string, unknown>, statusCode: number) => {
    const done = jest.fn();
    hook!(
      { id: 'request-7', method: 'GET', ip: '127.0.0.1', routeOptions: { url: '/v1/things/:id' }, ...request },
      { statusCode, elapsedTime: 12.345678 },
      done,
    );
    expect(done).toHaveBeenCalled();
  };
  return { fastify, log, respond };
}

/** Answers `error` through the global filter, as Nest does, which leaves it on the request for the log. */
async function captureThrough(request: Record<symbol, unknown>, error: Error): Promise<void> {
  const reply = { status: () => reply, send: () => reply, header: () => reply };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter();
  jest
    .spyOn((filter as unknown as { logger: { error: () => void } }).logger, 'error')
    .mockImplementation(() => undefined);
  filter.catch(error, host);
}

describe('request logging', () => {
  it('maps statuses to levels', () => {
    expect([200, 302, 400, 404, 499, 500, 503].map(levelForStatus)).toEqual([
      'Information',
      'Information',
      'Warning',
      'Warning',
      'Warning',
      'Error',
      'Error',
    ]);
  });

  it('writes one entry per API call with route, principal, status and elapsed time; skips probes', () => {
    const { fastify, log, respond } = setup();
    expect(fastify.addHook).toHaveBeenCalledWith('onResponse', expect.any(Function));
    respond(
      { url: '/v1/things/7?filter=x', user: { userName: 'ada', kind: 'apiKey', userId: 'u-1', apiKeyId: 4 } },
      200,
    );
    respond({ url: '/health/ready' }, 200);
    respond({ url: '/swagger-json' }, 200);
    expect(log.write).toHaveBeenCalledTimes(1);
    const [level, template, properties, exception] = log.write.mock.calls[0];
    expect(level).toBe('Information');
    expect(template).toBe('HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms');
    expect(properties).toEqual({
      RequestMethod: 'GET',
      RequestPath: '/v1/things/7',
      Route: '/v1/things/:id',
      StatusCode: 200,
      Elapsed: 12.3457,
      Principal: 'ada',
      PrincipalKind: 'apiKey',
      UserId: 'u-1',
      ApiKeyId: 4,
      ClientAddress: '127.0.0.1',
      RequestId: 'request-7',
    });
    expect(exception).toBeUndefined();
  });

  it('hands the log the crash of a 500 (which keeps its type and message) and only the message of an expected failure', async () => {
    const { log, respond } = setup();
    const crashed: Record<string | symbol, unknown> = { url: '/v1/things/1' };
    const crash = new TypeError('Cannot read properties of undefined');
    await captureThrough(crashed, crash);
    respond(crashed, 500);
    expect(log.write.mock.calls[0][0]).toBe('Error');
    expect(log.write.mock.calls[0][3]).toBe(crash);

    const missing: Record<string | symbol, unknown> = { url: '/v1/things/2' };
    await captureThrough(missing, new NotFoundException('Thing 2 does not exist'));
    respond(missing, 404);
    expect(log.write.mock.calls[1][0]).toBe('Warning');
    expect(log.write.mock.calls[1][2]).toMatchObject({ ErrorMessage: 'Thing 2 does not exist' });
    expect(log.write.mock.calls[1][3]).toBeUndefined();
  });

  it('never lets a logging failure reach the request', () => {
    const { log, respond } = setup();
    log.write.mockImplementation(() => {
      throw new Error('boom');
    });
    expect(() => respond({ url: '/v1/things/3' }, 200)).not.toThrow();
  });
});
