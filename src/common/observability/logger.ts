import type { LogLevel } from '@nestjs/common';
import pino, { DestinationStream, Level, Logger as PinoInstance } from 'pino';
import pinoPretty from 'pino-pretty';
import type { AppConfig } from '../../config';

/** Nest's level names and the pino levels they write at. */
const PINO_LEVEL: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

const NEST_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Where a secret could reach a log object; pino replaces each with "[Redacted]". The request line itself
 * names no header and no body, so this is the second line of defence for objects logged elsewhere.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'authorization',
  'password',
  'newPassword',
  'currentPassword',
  'clientSecret',
  'secret',
  'token',
  'apiKey',
  'licenseToken',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.clientSecret',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.licenseToken',
  '*.authorization',
];

export interface RootLoggerOptions {
  /** Nest's levels to write (createApp's `logger` option); false writes nothing. Default: from LOG_LEVEL. */
  levels?: LogLevel[] | false;
  /** Where the lines go instead of stdout (the tests read them). Lines are always JSON then. */
  destination?: DestinationStream;
}

/** The lowest of the given Nest levels, as a pino level. */
export function pinoLevelOf(levels: LogLevel[] | false): Level | 'silent' {
  if (levels === false || !levels.length) return 'silent';
  const lowest = [...levels].sort((a, b) => NEST_LEVELS.indexOf(b) - NEST_LEVELS.indexOf(a))[0];
  return PINO_LEVEL[lowest];
}

/**
 * The one pino logger of the process: Nest's own messages (through nestjs-pino), the request lines and the
 * errors the exception filter logs all go through it. JSON lines in production (LOG_FORMAT=json), readable
 * lines otherwise; colour only on a terminal.
 */
export function createRootLogger(config: AppConfig, options: RootLoggerOptions = {}): PinoInstance {
  const level = pinoLevelOf(options.levels ?? NEST_LEVELS.slice(0, NEST_LEVELS.indexOf(config.logLevel) + 1));
  const settings: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (options.destination) return pino(settings, options.destination);
  if (config.logFormat === 'pretty') {
    const stream = pinoPretty({
      colorize: Boolean(process.stdout.isTTY),
      destination: 1,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      messageKey: 'msg',
    });
    return pino(settings, stream);
  }
  return pino(settings, pino.destination({ dest: 1, sync: true }));
}
