import { INestApplication, LogLevel } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { API_KEY_SCHEME, BEARER_SCHEME } from './common/auth';
import { registerEnvelope } from './common/envelope';
import { createValidationPipe } from './common/errors';
import { httpServerOptions, registerInputGate } from './common/http';
import { collectRoutes, completeOpenApiDocument } from './common/openapi';
import { APP_CONFIG, AppConfig, loadConfiguration, packageVersion } from './config';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const JSON_CONTENT_TYPES = ['application/json', 'application/json-patch+json', 'text/json', 'application/*+json'];

function createAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    ...httpServerOptions(config),
    // Unique across instances and restarts: a request id in a support ticket finds its log lines.
    genReqId: () => randomUUID(),
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    routerOptions: { maxParamLength: 512 },
  });
  const fastify = adapter.getInstance();
  registerInputGate(fastify, JSON_CONTENT_TYPES, config.http.bodyLimitBytes);
  registerEnvelope(fastify);
  return adapter;
}

/** Builds the application exactly as it serves, without listening: used by main, the tests and the OpenAPI script. */
export async function createApp(
  options: { logger?: LogLevel[] | false; preview?: boolean } = {},
): Promise<NestFastifyApplication> {
  // The adapter needs the configuration before Nest starts, so the optional .env must be read first.
  await ConfigModule.envVariablesLoaded;
  const config = loadConfiguration();
  const logger = options.logger ?? LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(config), {
    logger,
    preview: options.preview,
    abortOnError: false,
    bodyParser: false,
  });
  app.useGlobalPipes(createValidationPipe());
  // No enableShutdownHooks(): src/shutdown.ts handles SIGINT/SIGTERM in order (readiness, requests, log, database).
  return app;
}

/**
 * The OpenAPI document of the running code. `serverUrl` is what clients prefix paths with: PUBLIC_URL when it is
 * set, else relative to where the document was fetched (the committed openapi.json always uses the latter).
 */
export function buildOpenApiDocument(app: INestApplication, serverUrl = '/'): OpenAPIObject {
  const document = new DocumentBuilder()
    .setTitle('Open Licensing Server')
    .setDescription(
      'The Management API of the Babel Licensing Service, endpoint for endpoint, plus a client Licensing API.',
    )
    .setVersion(packageVersion)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Token from POST /v1/auth/login' },
      BEARER_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key from POST /v1/api-keys' },
      API_KEY_SCHEME,
    )
    .build();
  return completeOpenApiDocument(
    SwaggerModule.createDocument(app, document, { operationIdFactory: (_controller, method) => method }),
    collectRoutes(app),
    serverUrl,
  );
}

export function mountSwagger(app: INestApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  if (!config.http.swaggerEnabled) return;
  SwaggerModule.setup('swagger', app, () => buildOpenApiDocument(app, config.publicUrl ?? '/'), {
    jsonDocumentUrl: 'swagger-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
