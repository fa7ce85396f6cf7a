import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { ApiException } from './api.exception';
import { ErrorCode } from './error-code';

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  beforeAll(() =>
    jest
      .spyOn((filter as unknown as { logger: { error: () => void; warn: () => void } }).logger, 'error')
      .mockImplementation(() => undefined),
  );
  beforeAll(() =>
    jest
      .spyOn((filter as unknown as { logger: { error: () => void; warn: () => void } }).logger, 'warn')
      .mockImplementation(() => undefined),
  );

  it('answers an ApiException with its status, code, message and details', () => {
    const { status, body } = filter.toEnvelope(
      ApiException.conflict('full', ErrorCode.NoFreeSeat, { activeClientCount: 3 }),
    );
    expect(status).toBe(409);
    expect(body).toEqual({ success: false, code: ErrorCode.NoFreeSeat, message: 'full', activeClientCount: 3 });
  });

  it('maps Nest HTTP exceptions to codes by status', () => {
    expect(filter.toEnvelope(new NotFoundException('Cannot GET /nope')).body).toMatchObject({
      code: ErrorCode.NotFound,
      message: 'Cannot GET /nope',
    });
    expect(filter.toEnvelope(new BadRequestException(['a must be a string', 'b must be a number'])).body.message).toBe(
      'a must be a string; b must be a number',
    );
    expect(filter.toEnvelope(new HttpException('slow down', 429)).body.code).toBe(ErrorCode.RateLimited);
  });

  it('turns a unique violation into 409 without the SQL', () => {
    const error = new QueryFailedError(
      'INSERT INTO secrets VALUES ($1)',
      ['x'],
      Object.assign(new Error('duplicate key value violates unique constraint'), {
        code: '23505',
        detail: 'Key (code)=(x) already exists.',
      }),
    );
    const { status, body } = filter.toEnvelope(error);
    expect(status).toBe(409);
    expect(body.code).toBe(ErrorCode.Duplicate);
    expect(JSON.stringify(body)).not.toMatch(/INSERT|secrets|Key \(code\)/);
  });

  it('answers 503 when the database cannot be reached', () => {
    // As node:net reports a refused connection (what pg's pool rejects with).
    const { status, body } = filter.toEnvelope(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
        address: '127.0.0.1',
        port: 5432,
      }),
    );
    expect(status).toBe(503);
    expect(body.code).toBe(ErrorCode.DatabaseUnavailable);
    expect(body.message).not.toContain('5432');
  });

  it.each([
    [
      'a query whose connection was reset',
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })),
    ],
    [
      'a server shutting down',
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
        severity: 'FATAL',
      }),
    ],
    ['a connection that broke', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('answers 503 for %s', (_case, error) => {
    expect(filter.toEnvelope(error)).toMatchObject({ status: 503, body: { code: ErrorCode.DatabaseUnavailable } });
  });

  it('does not take a client hanging up mid-body for a database outage', () => {
    // Node's error on a request stream that breaks off: code ECONNRESET, no system call.
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    const { status, body } = filter.toEnvelope(aborted, { method: 'POST', url: '/v1/auth/login' });
    expect(status).toBe(400);
    expect(body.code).toBe(ErrorCode.MalformedRequest);

    const destroyed = { complete: false, destroyed: true } as IncomingMessage;
    expect(filter.toEnvelope(new Error('premature close'), { raw: destroyed })).toMatchObject({
      status: 400,
      body: { code: ErrorCode.MalformedRequest },
    });
  });

  it('does not take an unrelated error with a lost-connection SQLSTATE-like code for an outage', () => {
    expect(filter.toEnvelope(Object.assign(new Error('odd'), { code: '08006' })).status).toBe(500);
  });

  it('answers unknown failures with a plain 500 and no stack or message leak', () => {
    const { status, body } = filter.toEnvelope(
      new TypeError("Cannot read properties of undefined (reading 'password_hash')"),
    );
    expect(status).toBe(500);
    expect(body).toEqual({
      success: false,
      code: ErrorCode.InternalError,
      message: 'An unexpected error occurred; it has been logged',
    });
  });

  it('names malformed JSON and oversized bodies from Fastify', () => {
    const json = filter.toEnvelope(
      Object.assign(new SyntaxError('Unexpected end of JSON input'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      }),
    );
    expect(json).toMatchObject({ status: 400, body: { code: ErrorCode.MalformedJson } });
    const large = filter.toEnvelope(
      Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    );
    expect(large).toMatchObject({ status: 413, body: { code: ErrorCode.PayloadTooLarge } });
  });
});
