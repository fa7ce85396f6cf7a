import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the web console is served; its bundle is built with this base (console/vite.config.ts). */
export const CONSOLE_PATH = '/console';

/** Vite names its bundles by content hash, so they never change under a name; index.html must always be asked. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Serves the built console (`dist/console`, made by `npm run build`) at /console, with index.html for every path
 * below it that names no file, so a deep link (/console/licenses/12/show) opens the page it names; `/` redirects
 * there. These are plain Fastify routes, outside the API: no guard, no envelope. Answers false, serving nothing,
 * when the console has not been built.
 */
export function registerConsole(fastify: FastifyInstance, root: string): boolean {
  if (!existsSync(join(root, 'index.html'))) return false;
  void fastify.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PATH}/`,
    // One route per built file (the set is fixed at build time); the SPA fallback below takes the rest.
    wildcard: false,
    index: false,
    // The build writes .br and .gz copies of the bundle; the service compresses nothing itself.
    preCompressed: true,
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('Cache-Control', path.startsWith(join(root, 'assets')) ? IMMUTABLE : REVALIDATE);
      // The same URL answers Brotli, gzip or plain bytes by Accept-Encoding: a shared cache must keep them apart.
      response.setHeader('Vary', 'Accept-Encoding');
    },
  });
  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('Cache-Control', REVALIDATE).sendFile('index.html');
  fastify.get('/', (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));
  fastify.get(CONSOLE_PATH, sendIndex);
  fastify.get(`${CONSOLE_PATH}/`, sendIndex);
  fastify.get(`${CONSOLE_PATH}/*`, (request, reply) => {
    const path = request.url.split('?')[0];
    // A missing file (a stale bundle name) is a 404, not the page: the browser would run HTML as a script.
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    if (lastSegment.includes('.')) return reply.code(404).type('text/plain').send('Not found');
    return sendIndex(request, reply);
  });
  return true;
}
