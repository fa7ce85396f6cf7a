import { INestApplication, LogLevel } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger as NestPinoLogger, Params as NestPinoParams, PinoLogger } from 'nestjs-pino';
import type { DestinationStream, Logger as PinoInstance } from 'pino';
import { AppModule } from './app.module';
import { API_KEY_SCHEME, BEARER_SCHEME } from './common/auth';
import { registerEnvelope } from './common/envelope';
import { registerRequestContext } from './common/request-context';
import { createValidationPipe } from './common/errors';
import { httpServerOptions, installDirectRoutes, registerConsole, registerInputGate } from './common/http';
import { createRootLogger, registerRequestObservation, requestIdOf } from './common/observability';
import { collectRoutes, completeOpenApiDocument } from './common/openapi';
import { APP_CONFIG, AppConfig, PROJECT_ROOT, loadConfiguration, packageVersion } from './config';
import { join } from 'node:path';

const JSON_CONTENT_TYPES = ['application/json', 'application/json-patch+json', 'text/json', 'application/*+json'];

function createAdapter(config: AppConfig, logger: PinoInstance): FastifyAdapter {
  const adapter = new FastifyAdapter({
    ...httpServerOptions(config),
    // The caller's X-Request-Id when valid, else a UUID: a request id in a support ticket finds its log lines.
    genReqId: requestIdOf,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    routerOptions: { maxParamLength: 512 },
    // No Nest middleware is mounted (requests are observed and scoped by Fastify hooks), so middie's
    // onRequest hook would only walk an empty list on every request.
    skipMiddie: true,
  });
  const fastify = adapter.getInstance();
  registerRequestObservation(fastify, logger);
  registerRequestContext(fastify);
  registerInputGate(fastify, JSON_CONTENT_TYPES, config.http.bodyLimitBytes);
  registerEnvelope(fastify);
  registerConsole(fastify, join(PROJECT_ROOT, 'dist', 'console'));
  return adapter;
}

/** Builds the application exactly as it serves, without listening: used by main, the tests and the OpenAPI script. */
export async function createApp(
  options: { logger?: LogLevel[] | false; preview?: boolean; logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  // The adapter needs the configuration before Nest starts, so the optional .env must be read first.
  await ConfigModule.envVariablesLoaded;
  const config = loadConfiguration();
  const root = createRootLogger(config, { levels: options.logger, destination: options.logDestination });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(config, root), {
    logger: nestLogger(root),
    preview: options.preview,
    abortOnError: false,
    bodyParser: false,
  });
  app.useGlobalPipes(createValidationPipe());
  installDirectRoutes(app);
  // No enableShutdownHooks(): src/shutdown.ts handles SIGINT/SIGTERM in order (readiness, requests, log, database).
  return app;
}

/**
 * Nest's own messages (start, routes, the exception filter's errors) through nestjs-pino into the same pino
 * logger as the request lines. Handed to NestFactory directly rather than buffered until app.useLogger: it
 * exists before the application does, so no message is held back or printed any other way. Its request
 * middleware is not mounted: the request line comes from the Fastify hook, which knows the route pattern.
 */
function nestLogger(root: PinoInstance): NestPinoLogger {
  const params: NestPinoParams = { pinoHttp: { logger: root } };
  return new NestPinoLogger(new PinoLogger(params), params);
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
