import { Logger } from '@nestjs/common';
import { createApp, mountSwagger } from './bootstrap';
import { APP_CONFIG, AppConfig, ConfigurationError } from './config';

async function main(): Promise<void> {
  const app = await createApp();
  mountSwagger(app);
  const config = app.get<AppConfig>(APP_CONFIG);
  await app.listen(config.port, config.host);
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const logger = new Logger('Licensing');
  logger.log(`Listening on ${base}`);
  if (config.http.swaggerEnabled) logger.log(`Swagger UI: ${base}/swagger  (document: ${base}/swagger-json)`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
