import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SettingsService } from '../settings/settings.service';
import { exceptionText } from './exception-text';
import { LOG_LEVEL_VALUES, LogLevelName, levelValue } from './log-level';
import { LogRepository, PendingLogEntry } from './log.repository';
import { renderMessageTemplate } from './message-template';

export interface LogBufferLimits {
  /** Entries kept in memory while the database is slow or down; beyond it the oldest are dropped. */
  capacity: number;
  /** Rows per INSERT (6 parameters each, well under PostgreSQL's 65535). */
  batchSize: number;
  /** A flush starts as soon as this many entries wait, without waiting for the timer. */
  flushThreshold: number;
  flushIntervalMs: number;
  /** How long closing the application waits for the last flush. */
  shutdownFlushMs: number;
}

export const DEFAULT_LOG_BUFFER_LIMITS: LogBufferLimits = {
  capacity: 10_000,
  batchSize: 500,
  flushThreshold: 200,
  flushIntervalMs: 1000,
  shutdownFlushMs: 3000,
};

/** Keeps one pathological entry (a huge message, a giant property) from bloating the table. */
const MAX_TEXT_LENGTH = 32 * 1024;

function clip(text: string): string {
  return text.length > MAX_TEXT_LENGTH
    ? `${text.slice(0, MAX_TEXT_LENGTH)}… (${text.length - MAX_TEXT_LENGTH} more characters)`
    : text;
}

const bigintAsText = (_key: string, item: unknown) => (typeof item === 'bigint' ? item.toString() : item);

function safeJson(value: unknown): string {
  try {
    // Without a replacer first: one runs for every member of every entry, and BigInts (the only values it
    // changes) are rare enough to pay for the second pass when JSON.stringify refuses one.
    return JSON.stringify(value);
  } catch {
    try {
      return JSON.stringify(value, bigintAsText);
    } catch {
      return String(value);
    }
  }
}

/**
 * The application's log in the database. `write` only appends to an in-memory buffer, so it never
 * waits for, nor fails because of, the database; a timer (and a full buffer) flushes the buffer with
 * one multi-row INSERT per batch. The minimum level (Application.LogMinimumLevel) is applied at flush
 * time, so a change of the setting takes effect with the next flush.
 */
@Injectable()
export class DatabaseLogService implements OnApplicationBootstrap, OnModuleDestroy {
  limits: LogBufferLimits = { ...DEFAULT_LOG_BUFFER_LIMITS };
  private buffer: PendingLogEntry[] = [];
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private minimumLevel: number = LOG_LEVEL_VALUES.Information;
  private failing = false;
  private readonly console = new Logger('DatabaseLog');

  constructor(
    private readonly repository: LogRepository,
    private readonly settings: SettingsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.limits.flushIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let giveUp: NodeJS.Timeout | undefined;
    const waiting = this.buffer.length;
    const started = performance.now();
    const timeout = new Promise<void>((resolve) => (giveUp = setTimeout(resolve, this.limits.shutdownFlushMs)));
    await Promise.race([this.flush(), timeout]);
    clearTimeout(giveUp);
    // Runs after the HTTP server has closed (src/shutdown.ts), so every answered request is in this last batch.
    const left = this.buffer.length;
    const took = ((performance.now() - started) / 1000).toFixed(1);
    if (left) this.console.warn(`shutdown: ${left} log entries could not be written within ${took} s and are lost`);
    else if (waiting) this.console.log(`shutdown: ${waiting} log entries written in ${took} s`);
  }

  /** Never throws and never waits: the entry is written with the next batch. */
  write(
    level: LogLevelName,
    messageTemplate: string,
    properties: Record<string, unknown> = {},
    exception?: unknown,
  ): void {
    try {
      const propertiesText = Object.keys(properties).length ? clip(safeJson(properties)) : null;
      const exceptionMessage = exceptionText(exception, safeJson);
      this.enqueue({
        timeStamp: new Date(),
        level: LOG_LEVEL_VALUES[level] ?? LOG_LEVEL_VALUES.Information,
        message: clip(renderMessageTemplate(messageTemplate, properties)),
        messageTemplate: clip(messageTemplate),
        exception: exceptionMessage === null ? null : clip(exceptionMessage),
        properties: propertiesText,
      });
    } catch {
      // Logging must never break the caller.
    }
  }

  information(messageTemplate: string, properties?: Record<string, unknown>): void {
    this.write('Information', messageTemplate, properties);
  }

  warning(messageTemplate: string, properties?: Record<string, unknown>, exception?: unknown): void {
    this.write('Warning', messageTemplate, properties, exception);
  }

  error(messageTemplate: string, properties?: Record<string, unknown>, exception?: unknown): void {
    this.write('Error', messageTemplate, properties, exception);
  }

  /** Entries waiting in memory. */
  get pendingCount(): number {
    return this.buffer.length;
  }

  /** Entries dropped because the buffer was full and not yet reported in the log. */
  get droppedCount(): number {
    return this.dropped;
  }

  /**
   * Writes what is buffered now. Readers call it first so that a listing includes every request
   * answered before it; resolves (never rejects) when the attempt is over.
   */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (!this.buffer.length && !this.dropped) return;
    this.inFlight = this.drain().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private enqueue(entry: PendingLogEntry): void {
    this.buffer.push(entry);
    this.enforceCapacity();
    if (this.buffer.length >= this.limits.flushThreshold && !this.inFlight) void this.flush();
  }

  private enforceCapacity(): void {
    const excess = this.buffer.length - this.limits.capacity;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  private async drain(): Promise<void> {
    await this.refreshMinimumLevel();
    // Only what is there now: under steady load a flush must still end.
    let remaining = this.buffer.length;
    while (remaining > 0) {
      const batch = this.buffer.splice(0, Math.min(remaining, this.limits.batchSize));
      remaining -= batch.length;
      const wanted = batch.filter((entry) => entry.level >= this.minimumLevel);
      if (!wanted.length) continue;
      try {
        await this.repository.insert(wanted);
      } catch (error) {
        // Put them back in front of newer entries; the capacity bound drops the oldest if need be.
        this.buffer.unshift(...wanted);
        this.enforceCapacity();
        this.reportFailure(error);
        return;
      }
    }
    if (this.dropped > 0) await this.reportDropped();
    if (this.failing) {
      this.failing = false;
      this.console.log('The database log is writable again');
    }
  }

  private async reportDropped(): Promise<void> {
    const count = this.dropped;
    this.dropped = 0;
    const properties = { DroppedCount: count, Capacity: this.limits.capacity };
    const template =
      'Dropped {DroppedCount} log entries: the in-memory buffer ({Capacity} entries) was full while the database log could not be written';
    try {
      await this.repository.insert([
        {
          timeStamp: new Date(),
          level: LOG_LEVEL_VALUES.Warning,
          message: renderMessageTemplate(template, properties),
          messageTemplate: template,
          exception: null,
          properties: safeJson(properties),
        },
      ]);
    } catch (error) {
      this.dropped += count;
      this.reportFailure(error);
    }
  }

  private async refreshMinimumLevel(): Promise<void> {
    try {
      const name = await this.settings.get<string>('Application.LogMinimumLevel');
      this.minimumLevel = levelValue(name) ?? LOG_LEVEL_VALUES.Information;
    } catch {
      // Database unreachable: keep the last known level.
    }
  }

  private reportFailure(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.console.warn(
      `The database log cannot be written (${reason}); keeping up to ${this.limits.capacity} entries in memory and retrying`,
    );
  }
}
