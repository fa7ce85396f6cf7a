import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth';
import { REQUEST_EXCEPTION } from '../../common/errors';
import type { RequestLogVolume } from '../settings/setting-definitions';
import { SettingsService } from '../settings/settings.service';
import { DatabaseLogService } from './database-log.service';
import type { LogLevelName } from './log-level';

/** The global filter leaves the exception it answered under REQUEST_EXCEPTION (never sent to the client). */
type LoggedRequest = FastifyRequest & { user?: Principal; [REQUEST_EXCEPTION]?: unknown };

export const REQUEST_LOG_TEMPLATE = 'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms';

/** Probes and the API documentation are not API calls; logging every probe would drown the log. */
const LOGGED_PATH = /^\/v\d+(\/|$)/;
/** The client Licensing API, which every installed copy calls (a fleet's validations and heartbeats). */
const CLIENT_API_PATH = /^\/v\d+\/license\//;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestLogPolicy {
  volume: RequestLogVolume;
  /** Share of the successful client API calls the volume keeps that are written. */
  clientSampleRate: number;
}

/** Until the settings are read: the settings' defaults. */
const DEFAULT_POLICY: RequestLogPolicy = { volume: 'All', clientSampleRate: 0.01 };

/** Whether Application.RequestLogVolume keeps a call (before the client API's sampling). */
export function volumeKeeps(volume: RequestLogVolume, method: string, status: number): boolean {
  if (status >= 400) return true;
  if (volume === 'ErrorsOnly') return false;
  if (volume === 'WritesAndErrors') return !READ_METHODS.has(method);
  return true;
}

/**
 * Keeps exactly `rate` of the calls it is asked about, evenly spread (the nth call when n × rate passes a whole
 * number: with 0.01 the 100th, 200th, …), rather than at random, so that what a rate writes is what it promises.
 * Counting starts again when the rate changes.
 */
export class EvenSampler {
  private seen = 0;
  private rate = Number.NaN;

  keep(rate: number): boolean {
    if (rate !== this.rate) {
      this.rate = rate;
      this.seen = 0;
    }
    if (rate >= 1) return true;
    if (!(rate > 0)) return false;
    const before = Math.floor(this.seen * rate);
    this.seen++;
    return Math.floor(this.seen * rate) > before;
  }
}

export function levelForStatus(status: number): LogLevelName {
  if (status >= 500) return 'Error';
  if (status >= 400) return 'Warning';
  return 'Information';
}

/**
 * Logs API calls once their response has been sent (Fastify onResponse), so 401/403 answered by
 * the guard, 404s for unknown routes and errors answered by the global filter are logged too, and
 * the request never waits for the log. Which calls: Application.RequestLogVolume, and of the
 * successful client API calls Application.RequestLogClientSampleRate, so that a fleet's heartbeats
 * do not cost a row each.
 */
@Injectable()
export class RequestLogHook implements OnModuleInit {
  private policy: RequestLogPolicy = DEFAULT_POLICY;
  private readonly sampler = new EvenSampler();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly log: DatabaseLogService,
    private readonly settings: SettingsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.<FastifyInstance | undefined>();
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      try {
        const policy = this.cachedPolicy();
        if (policy) this.record(request, reply, policy);
        else
          void this.readPolicy().then((read) => {
            try {
              this.record(request, reply, read);
            } catch {
              // Never let logging affect the request.
            }
          });
      } catch {
        // Never let logging affect the request.
      }
      done();
    });
  }

  /** The policy from the settings' cache without waiting, or undefined when the settings must be read. */
  private cachedPolicy(): RequestLogPolicy | undefined {
    const volume = this.settings.peek<RequestLogVolume>('Application.RequestLogVolume');
    const clientSampleRate = this.settings.peek<number>('Application.RequestLogClientSampleRate');
    if (volume === undefined || clientSampleRate === undefined) return undefined;
    if (volume !== this.policy.volume || clientSampleRate !== this.policy.clientSampleRate)
      this.policy = { volume, clientSampleRate };
    return this.policy;
  }

  private async readPolicy(): Promise<RequestLogPolicy> {
    try {
      this.policy = {
        volume: await this.settings.get<RequestLogVolume>('Application.RequestLogVolume'),
        clientSampleRate: await this.settings.get<number>('Application.RequestLogClientSampleRate'),
      };
    } catch {
      // Database unreachable: the last known policy.
    }
    return this.policy;
  }

  private record(request: LoggedRequest, reply: FastifyReply, policy: RequestLogPolicy): void {
    const path = request.url.split('?', 1)[0];
    if (!LOGGED_PATH.test(path)) return;
    const status = reply.statusCode;
    if (!volumeKeeps(policy.volume, request.method, status)) return;
    if (status < 400 && CLIENT_API_PATH.test(path) && !this.sampler.keep(policy.clientSampleRate)) return;
    const principal = request.user;
    const properties: Record<string, unknown> = {
      RequestMethod: request.method,
      RequestPath: path,
      Route: request.routeOptions?.url ?? null,
      StatusCode: status,
      Elapsed: Math.round(reply.elapsedTime * 10_000) / 10_000,
      Principal: principal?.userName ?? null,
      PrincipalKind: principal?.kind ?? null,
      UserId: principal?.userId ?? null,
      ApiKeyId: principal?.apiKeyId ?? null,
      ClientAddress: request.ip,
      RequestId: request.id,
    };
    const error = request[REQUEST_EXCEPTION];
    if (error !== undefined && status < 500 && error instanceof HttpException) properties.ErrorMessage = error.message;
    this.log.write(
      levelForStatus(status),
      REQUEST_LOG_TEMPLATE,
      properties,
      status >= 500 ? describeError(error) : undefined,
    );
  }
}

function describeError(error: unknown): unknown {
  if (error === undefined) return undefined;
  // An expected failure (e.g. the SMTP server refusing) is known by its message; a crash by its stack.
  if (error instanceof HttpException) return `${error.name}: ${error.message}`;
  return error;
}
