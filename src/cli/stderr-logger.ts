import { LogLevel, LoggerService } from '@nestjs/common';

/** Nest's own progress lines while it builds a context: noise for a command. */
const NEST_BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'NestApplication', 'NestApplicationContext']);

/**
 * Nest's and the database's messages on stderr, one plain line each: stdout carries only what a command answers
 * (a key, PEM text, a list), so it can be piped or redirected.
 */
export class StderrLogger implements LoggerService {
  constructor(private readonly levels: ReadonlySet<LogLevel>) {}

  log(message: unknown, context?: string): void {
    this.write('log', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack?, context?): the stack is left out, the line says what went wrong.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.write('error', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('verbose', message, context);
  }

  private write(level: LogLevel, message: unknown, context?: string): void {
    if (!this.levels.has(level)) return;
    if (level === 'log' && context && NEST_BOOT_CONTEXTS.has(context)) return;
    const text = message instanceof Error ? message.message : String(message);
    const prefix = level === 'warn' ? 'warning: ' : level === 'error' ? 'error: ' : '';
    process.stderr.write(`${prefix}${context && level !== 'log' ? `[${context}] ` : ''}${text}\n`);
  }
}
