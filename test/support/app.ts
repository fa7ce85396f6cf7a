import { LogLevel } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp, mountSwagger } from '../../src/bootstrap';

export const ADMIN = { userName: 'admin', password: 'admin-test-password' };

export interface TestContext {
  app: NestFastifyApplication;
  http: TestAgent;
  adminToken: string;
  close(): Promise<void>;
}

/**
 * The real application (Fastify, guard, filter, migrations) on the run's database, without a listener.
 * `logDestination` receives its log lines as JSON (the process's first application sets where nestjs-pino's
 * own messages go; the request lines always go to the application's own logger).
 */
export async function startTestApp(
  options: { logger?: LogLevel[]; logDestination?: DestinationStream } = {},
): Promise<TestContext> {
  const app = await createApp({ logger: options.logger ?? ['error', 'fatal'], logDestination: options.logDestination });
  mountSwagger(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const http = request(app.getHttpServer());
  const adminToken = await login(http, ADMIN.userName, ADMIN.password);
  return { app, http, adminToken, close: () => app.close() };
}

export async function login(http: TestAgent, userName: string, password: string): Promise<string> {
  const response = await http.post('/v1/auth/login').send({ userName, password });
  if (response.status !== 200)
    throw new Error(`login as ${userName} failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.token as string;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a user with the given roles and answers its id and a token. */
export async function createUser(
  ctx: TestContext,
  roles: string[],
  password = 'password-1234',
): Promise<{ id: string; userName: string; token: string }> {
  const userName = unique('user');
  const response = await ctx.http
    .post('/v1/users')
    .set(bearer(ctx.adminToken))
    .send({ user: { userName, email: `${userName}@example.com`, roles }, password });
  if (response.status !== 200)
    throw new Error(`creating user failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.userId, userName, token: await login(ctx.http, userName, password) };
}

/** Creates an API key owned by the admin (or `ownerId`) with the given permission bits. */
export async function createApiKey(
  ctx: TestContext,
  permissions = 15,
  extra: Record<string, unknown> = {},
): Promise<{ id: number; key: string }> {
  const response = await ctx.http
    .post('/v1/api-keys')
    .set(bearer(ctx.adminToken))
    .send({ apiKey: { name: unique('key'), permissions, ...extra } });
  if (response.status !== 200)
    throw new Error(`creating API key failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.apiKeyId, key: response.body.apiKey };
}
