import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { createApp } from '../src/bootstrap';
import { ErrorCode } from '../src/common/errors';
import { AllExceptionsFilter } from '../src/common/errors/all-exceptions.filter';

/**
 * The HTTP server's edges, over raw sockets to a listening instance: what Fastify and Node answer
 * before any route runs (oversize or too many headers, malformed HTTP, slow clients) and a client
 * hanging up mid-body. Small limits for the test: 2 s for headers, 4 KB of body.
 */
const HEADERS_TIMEOUT_SECONDS = 2;

interface RawAnswer {
  status: number | null;
  body: Record<string, unknown> | null;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
  error: string | null;
}

function parse(text: string): Pick<RawAnswer, 'status' | 'body'> {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  if (!match) return { status: null, body: null };
  return { status: Number(match[1]), body: match[3] ? JSON.parse(match[3]) : null };
}

/** Writes `request` (or lets `drive` write it) and collects everything until the server closes. */
function rawRequest(port: number, request: string, drive?: (write: (text: string) => void) => () => void) {
  return new Promise<RawAnswer>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    let received = '';
    let error: string | null = null;
    let stop = () => undefined as void;
    socket.on('connect', () => {
      socket.write(request);
      if (drive) stop = drive((text) => socket.writable && socket.write(text));
    });
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
    socket.on('close', () => {
      stop();
      resolve({ ...parse(received), closedAfterMs: performance.now() - started, error });
    });
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

const get = (headers: string[]) => `GET /health/live HTTP/1.1\r\nHost: localhost\r\n${headers.join('')}\r\n`;

describe('HTTP edges answer the envelope and close slow clients', () => {
  let app: NestFastifyApplication;
  let port: number;
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.HTTP_HEADERS_TIMEOUT_SECONDS = String(HEADERS_TIMEOUT_SECONDS);
    process.env.BODY_LIMIT_BYTES = '4096';
    app = await createApp({ logger: ['error', 'fatal'] });
    process.env = { ...saved };
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await app?.close();
  });

  it.each([
    ['17 KB', 17 * 1024],
    ['64 KB', 64 * 1024],
  ])('answers %s of headers with a 431 envelope, not a reset', async (_size, bytes) => {
    const answer = await rawRequest(port, get([`X-Big: ${'a'.repeat(bytes)}\r\n`]));
    expect(answer.error).toBeNull();
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual({
      success: false,
      code: ErrorCode.HeadersTooLarge,
      message: 'The request headers are larger than the server accepts (16384 bytes)',
    });
  });

  it('answers too many header fields with a 400 envelope', async () => {
    const answer = await rawRequest(port, get(Array.from({ length: 2000 }, () => 'a:1\r\n')));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, code: ErrorCode.TooManyHeaders });
  });

  it('answers malformed HTTP and a malformed URL with 400 envelopes', async () => {
    const garbage = await rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatchObject({ success: false, code: ErrorCode.MalformedRequest });
    expect(String(garbage.body?.message)).toMatch(/^The request is not valid HTTP: /);

    const url = await rawRequest(port, 'GET /v1/users/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(url.status).toBe(400);
    expect(url.body).toMatchObject({ success: false, code: ErrorCode.ValidationFailed });
  });

  it('answers a body over BODY_LIMIT_BYTES with a 413 envelope', async () => {
    const body = JSON.stringify({ userName: 'a'.repeat(5000), password: 'x' });
    const answer = await rawRequest(
      port,
      'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ success: false, code: ErrorCode.PayloadTooLarge });
  });

  it('does not count a client that hangs up mid-body as a database outage', async () => {
    const envelopes = jest.spyOn(AllExceptionsFilter.prototype, 'toEnvelope');
    const errors = jest.spyOn(Logger.prototype, 'error');
    // Half a body, then the client goes away.
    const hungUp = new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"userName":"a',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
    });
    await hungUp;
    for (let wait = 0; wait < 50 && envelopes.mock.results.length < 1; wait++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = envelopes.mock.results.map((result) => result.value as { status: number; body: { code: number } });
    expect(answers.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe(ErrorCode.MalformedRequest);
    }
    expect(
      errors.mock.calls.map((call) => String(call[0])).filter((text) => /database unavailable/.test(text)),
    ).toEqual([]);
    envelopes.mockRestore();
    errors.mockRestore();
  }, 30_000);

  it('closes clients that send one header line at a time within the headers timeout, and keeps serving others', async () => {
    const slow = Array.from({ length: 20 }, () =>
      rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\n', (write) => {
        let line = 0;
        const timer = setInterval(() => write(`X-Slow-${line++}: 1\r\n`), 500);
        return () => clearInterval(timer);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const healthy = await rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(healthy.status).toBe(200);

    const answers = await Promise.all(slow);
    for (const answer of answers) {
      expect(answer.status).toBe(408);
      expect(answer.body).toMatchObject({ success: false, code: ErrorCode.RequestTimeout });
      // Checked every second, then a second of draining at most.
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_SECONDS * 1000 - 100);
      expect(answer.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_SECONDS * 1000 + 3000);
    }
  }, 30_000);
});
