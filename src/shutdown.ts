import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownState } from './common/lifecycle';
import { DatabaseServer, seconds } from './database/database-server';

export interface ShutdownOptions {
  /** Longest wait for the requests in flight; connections still open then are closed. */
  graceSeconds: number;
}

/**
 * SIGINT and SIGTERM stop the service in order: readiness turns unready, the listener closes (new connections are
 * refused, idle keep-alive connections closed, a request arriving on a busy one is answered 503), the requests in
 * flight finish within the grace period, then Nest's shutdown hooks run: the request-log buffer is written, the
 * connection pool closes, and the embedded PostgreSQL stops last. Exit code 0. A second signal exits at once
 * (code 130), asking the embedded PostgreSQL to stop on its own.
 */
export function installShutdown(app: NestFastifyApplication, options: ShutdownOptions): void {
  const logger = new Logger('Lifecycle');
  let closing = false;

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    const started = performance.now();
    app.get(ShutdownState).markStopping();
    const fastify = app.getHttpAdapter().getInstance();
    const inFlight = () => (fastify.server as unknown as { _connections?: number })._connections ?? 0;
    logger.log(
      `shutdown: ${signal} received; refusing new connections, finishing requests in flight (at most ${options.graceSeconds} s, Ctrl+C again to force)`,
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), options.graceSeconds * 1000)),
    );
    const closed = fastify.close().then(() => 'closed' as const);
    if ((await Promise.race([closed, grace])) === 'timeout') {
      logger.warn(`shutdown: ${inFlight()} connections still busy after ${options.graceSeconds} s; closing them`);
      fastify.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    logger.log(`shutdown: HTTP server closed in ${seconds(started)}`);
    await app.close();
    logger.log(`shutdown: done in ${seconds(started)}`);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`shutdown: second ${signal}; exiting now`);
      DatabaseServer.stopNow();
      process.exit(130);
    }
    closing = true;
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        DatabaseServer.stopNow();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
