import { DataSource } from 'typeorm';
import { ErrorCode } from '../src/common/errors';
import { TestContext, createUser, startTestApp, unique } from './support/app';
import { REDIS_SERVER, startRedis } from './support/redis';
import argon2 = require('argon2');

/**
 * Login throttling on two instances sharing the run's database. The client address comes from
 * X-Forwarded-For (TRUST_PROXY on for these instances), so each test has addresses of its own and
 * the failures counted here never throttle the other specs, which log in from 127.0.0.1.
 */
const FORWARDED = 'X-Forwarded-For';

interface Answer {
  status: number;
  code: number;
  retryAfter: string | undefined;
  ms: number;
}

async function attempt(ctx: TestContext, address: string, userName: string, password: string): Promise<Answer> {
  const started = performance.now();
  const response = await ctx.http.post('/v1/auth/login').set(FORWARDED, address).send({ userName, password });
  return {
    status: response.status,
    code: response.body.code,
    retryAfter: response.headers['retry-after'],
    ms: performance.now() - started,
  };
}

/** Runs `tasks` `width` at a time, in order. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < tasks.length; index += width)
    results.push(...(await Promise.all(tasks.slice(index, index + width).map((task) => task()))));
  return results;
}

function count(answers: Answer[], code: number): number {
  return answers.filter((answer) => answer.code === code).length;
}

async function startInstances(env: Record<string, string>, howMany: number): Promise<TestContext[]> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const instances: TestContext[] = [];
    for (let index = 0; index < howMany; index++) instances.push(await startTestApp());
    return instances;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Taken before any spy replaces it. */
const realVerify = argon2.verify;

describe('Login throttling across two instances', () => {
  let instances: TestContext[] = [];
  let verify: jest.SpyInstance;

  beforeAll(async () => {
    instances = await startInstances({ TRUST_PROXY: 'true' }, 2);
  }, 90_000);

  beforeEach(() => {
    verify = jest.spyOn(argon2, 'verify');
  });

  afterEach(() => verify.mockRestore());

  afterAll(async () => {
    for (const instance of instances) await instance.close();
  });

  it('checks at most LOGIN_MAX_FAILURES (5) of 30 parallel wrong passwords and refuses the right one while locked', async () => {
    const [a, b] = instances;
    const user = await createUser(a, ['Sales'], 'the-right-password');
    const address = '198.51.100.10';
    verify.mockClear();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        attempt(index % 2 ? a : b, address, user.userName, `wrong-password-${index}`),
      ),
    );
    const burstMs = performance.now() - started;
    const checks = verify.mock.calls.length;
    process.stdout.write(
      `\n[login burst] ${checks} password checks for 30 parallel wrong passwords over 2 instances; ` +
        `${count(answers, ErrorCode.AccountLocked)} refused as locked; burst ${burstMs.toFixed(0)} ms, ` +
        `slowest answer ${Math.max(...answers.map((answer) => answer.ms)).toFixed(0)} ms\n`,
    );

    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    expect(checks).toBe(5);
    expect(count(answers, ErrorCode.InvalidCredentials)).toBe(5);
    expect(count(answers, ErrorCode.AccountLocked)).toBe(25);

    for (const instance of [a, b]) {
      const right = await attempt(instance, address, user.userName, 'the-right-password');
      expect(right).toMatchObject({ status: 401, code: ErrorCode.AccountLocked });
    }
    expect(verify.mock.calls.length).toBe(5);
  }, 120_000);

  it('answers 429 with Retry-After once an address has 50 failed logins; successful logins do not count', async () => {
    const [a, b] = instances;
    const user = await createUser(a, ['Sales'], 'the-right-password');
    const address = '198.51.100.20';
    const names = Array.from({ length: 60 }, () => unique('nobody'));
    const fail = (index: number) => () => attempt(index % 2 ? a : b, address, names[index], 'guess');
    verify.mockClear();

    const first = await inBatches(
      Array.from({ length: 30 }, (_, index) => fail(index)),
      6,
    );
    const successes = await Promise.all(
      [a, b, a].map((instance) => attempt(instance, address, user.userName, 'the-right-password')),
    );
    const rest = await inBatches(
      Array.from({ length: 30 }, (_, index) => fail(30 + index)),
      6,
    );
    const failures = [...first, ...rest];

    expect(successes.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(count(failures, ErrorCode.InvalidCredentials)).toBe(50);
    const throttled = failures.filter((answer) => answer.code === ErrorCode.TooManyFailedLogins);
    expect(throttled).toHaveLength(10);
    for (const answer of throttled) {
      expect(answer.status).toBe(429);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(900);
    }
    // 50 checks against the decoy hash and 3 real ones: the refused 10 cost nothing.
    expect(verify.mock.calls.length).toBe(53);

    // The address is refused even with the right password; another address is not.
    expect(await attempt(b, address, user.userName, 'the-right-password')).toMatchObject({
      status: 429,
      code: ErrorCode.TooManyFailedLogins,
    });
    expect((await attempt(a, '198.51.100.21', user.userName, 'the-right-password')).status).toBe(200);

    const [row] = await a.app
      .get(DataSource)
      .query('SELECT failure_count FROM login_address_failures WHERE client_address = $1', [address]);
    expect(row.failure_count).toBe(50);
  }, 180_000);

  it('refuses at once with 503 and Retry-After what the hashing queue cannot hold', async () => {
    const [a, b] = instances;
    let running = 0;
    let peak = 0;
    verify.mockImplementation(async (...args: Parameters<typeof argon2.verify>) => {
      peak = Math.max(peak, ++running);
      try {
        return await realVerify(...args);
      } finally {
        running--;
      }
    });
    // Default bound on this machine: one slot per core and 8 waiting per slot, shared by both instances.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        attempt(index % 2 ? a : b, `198.51.100.${100 + index}`, unique('nobody'), 'guess'),
      ),
    );
    const busy = answers.filter((answer) => answer.status === 503);
    const checked = answers.filter((answer) => answer.status === 401);
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
    process.stdout.write(
      `\n[hashing queue] 60 parallel logins: ${checked.length} checked (at most ${peak} at once), ` +
        `${busy.length} answered 503; slowest 503 ${Math.max(...busy.map((answer) => answer.ms)).toFixed(0)} ms, ` +
        `median checked ${median(checked.map((answer) => answer.ms)).toFixed(0)} ms\n`,
    );

    expect(busy.length + checked.length).toBe(60);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of busy) expect(answer).toMatchObject({ code: ErrorCode.ServerBusy, retryAfter: '1' });
    expect(peak).toBeLessThanOrEqual(require('node:os').availableParallelism());
    expect(verify.mock.calls.length).toBe(checked.length);
    // Refused before any work: faster than a typical checked login, which waits for argon2.
    expect(Math.max(...busy.map((answer) => answer.ms))).toBeLessThan(median(checked.map((answer) => answer.ms)));
  }, 180_000);

  (REDIS_SERVER ? it : it.skip)(
    'with REDIS_URL counts failures per address in Redis, shared by the instances',
    async () => {
      const redis = await startRedis();
      let shared: TestContext[] = [];
      try {
        shared = await startInstances(
          { TRUST_PROXY: 'true', REDIS_URL: redis.url, LOGIN_ADDRESS_MAX_FAILURES: '3' },
          2,
        );
        const address = '198.51.100.30';
        const answers: Answer[] = [];
        for (let index = 0; index < 5; index++)
          answers.push(await attempt(shared[index % 2], address, unique('nobody'), 'guess'));
        expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429]);
        const rows = await shared[0].app
          .get(DataSource)
          .query('SELECT 1 FROM login_address_failures WHERE client_address = $1', [address]);
        expect(rows).toHaveLength(0);
      } finally {
        for (const instance of shared) await instance.close();
        redis.stop();
      }
    },
    90_000,
  );
});
