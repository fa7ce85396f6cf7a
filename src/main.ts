import { Logger } from '@nestjs/common';
import { createApp, mountSwagger } from './bootstrap';
import { APP_CONFIG, AppConfig, ConfigurationError } from './config';
import { installShutdown } from './shutdown';

async function main(): Promise<void> {
  const app = await createApp();
  mountSwagger(app);
  const config = app.get<AppConfig>(APP_CONFIG);
  installShutdown(app, { graceSeconds: config.http.shutdownGraceSeconds });
  await app.listen(config.port, config.host);
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const fastify = app.getHttpAdapter().getInstance();
  const hasConsole = ['/console', '/console/'].some((url) => fastify.hasRoute({ method: 'GET', url }));
  const places = [
    hasConsole ? `console ${base}/console` : undefined,
    config.http.swaggerEnabled ? `Swagger ${base}/swagger` : undefined,
    `API ${base}/v1`,
  ].filter(Boolean);
  new Logger('Licensing').log(
    `listening: ${places.join(', ')} (ready ${process.uptime().toFixed(1)} s after the process started)`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
