import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AllExceptionsFilter } from '../../common/errors';
import type { SettingsService } from '../settings/settings.service';
import { DatabaseLogService } from './database-log.service';
import { EvenSampler, RequestLogHook, levelForStatus, volumeKeeps } from './request-logging';

type Hook = (request: object, reply: object, done: () => void) => void;

/** The settings as their cache answers them: Application.RequestLogVolume and …ClientSampleRate. */
function setup(policy: Record<string, string | number> = { RequestLogVolume: 'All', RequestLogClientSampleRate: 1 }) {
  let hook: Hook | undefined;
  const fastify = { addHook: jest.fn((_name: string, handler: Hook) => (hook = handler)) };
  const adapterHost = { httpAdapter: { getInstance: () => fastify } } as unknown as HttpAdapterHost;
  const log = { write: jest.fn() } as unknown as DatabaseLogService & { write: jest.Mock };
  const settings = { peek: (key: string) => policy[key.split('.')[1]] } as unknown as SettingsService;
  new RequestLogHook(adapterHost, log, settings).onModuleInit();
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

  it('keeps what each volume promises: every call, writes and errors, or errors only', () => {
    const calls: Array<[string, number]> = [
      ['GET', 200],
      ['HEAD', 200],
      ['OPTIONS', 204],
      ['POST', 200],
      ['PUT', 200],
      ['DELETE', 204],
      ['GET', 404],
      ['GET', 500],
      ['POST', 400],
    ];
    const kept = (volume: 'All' | 'WritesAndErrors' | 'ErrorsOnly') =>
      calls.filter(([method, status]) => volumeKeeps(volume, method, status)).map(([m, s]) => `${m} ${s}`);
    expect(kept('All')).toHaveLength(calls.length);
    expect(kept('WritesAndErrors')).toEqual(['POST 200', 'PUT 200', 'DELETE 204', 'GET 404', 'GET 500', 'POST 400']);
    expect(kept('ErrorsOnly')).toEqual(['GET 404', 'GET 500', 'POST 400']);
  });

  it('samples exactly the rate, evenly, and starts counting again when the rate changes', () => {
    const sampler = new EvenSampler();
    const keptOf = (rate: number, calls: number) =>
      Array.from({ length: calls }, (_, index) => (sampler.keep(rate) ? index + 1 : 0)).filter(Boolean);
    expect(keptOf(0.01, 300)).toEqual([100, 200, 300]);
    expect(keptOf(0.25, 8)).toEqual([4, 8]);
    expect(keptOf(1, 3)).toEqual([1, 2, 3]);
    expect(keptOf(0, 50)).toEqual([]);
    expect(keptOf(0.3, 10)).toEqual([4, 7, 10]);
  });

  it('samples only successful client API calls; their refusals and every other call are written', () => {
    const { log, respond } = setup({ RequestLogVolume: 'All', RequestLogClientSampleRate: 0.5 });
    for (let i = 0; i < 4; i++) respond({ method: 'POST', url: '/v1/license/heartbeat' }, 200);
    respond({ method: 'POST', url: '/v1/license/validate' }, 404);
    respond({ method: 'POST', url: '/v1/license/validate' }, 429);
    respond({ method: 'GET', url: '/v1/licenses' }, 200);
    respond({ method: 'POST', url: '/v1/licenses' }, 200);
    const written = log.write.mock.calls.map(([, , properties]) => {
      const { RequestMethod, RequestPath, StatusCode } = properties as Record<string, unknown>;
      return `${RequestMethod as string} ${RequestPath as string} ${StatusCode as number}`;
    });
    expect(written).toEqual([
      'POST /v1/license/heartbeat 200',
      'POST /v1/license/heartbeat 200',
      'POST /v1/license/validate 404',
      'POST /v1/license/validate 429',
      'GET /v1/licenses 200',
      'POST /v1/licenses 200',
    ]);
  });
});
