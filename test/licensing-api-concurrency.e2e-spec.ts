import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { TokenSweeperService } from '../src/modules/licensing-api/token-sweeper.service';
import { verifyLicense } from '../verifier/src';
import { TestContext, startTestApp } from './support/app';
import {
  SignatureKey,
  createLicense,
  createSignatureKey,
  liftLicensingRateLimits,
  setLicensingRateLimits,
} from './support/licensing';
import { REDIS_SERVER, startRedis } from './support/redis';

interface Answer {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

/** A server instance as behind a load balancer: its own Nest application, connection pool and port. */
interface Instance {
  app: NestFastifyApplication;
  url: string;
}

async function startInstance(): Promise<Instance> {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}

async function call(instance: Instance, path: string, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${instance.url}/v1/license/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}

describe('Client Licensing API on three instances sharing one database', () => {
  let admin: TestContext;
  let key: SignatureKey;
  let db: DataSource;
  let instances: Instance[] = [];

  beforeAll(async () => {
    admin = await startTestApp();
    db = admin.app.get(DataSource);
    key = await createSignatureKey(admin, 'Ed25519');
    // 300 requests from one address and one user key in a second: far above the default limits.
    await liftLicensingRateLimits(admin);
    instances = [await startInstance(), await startInstance(), await startInstance()];
  }, 90_000);

  afterAll(async () => {
    for (const instance of instances) await instance.app.close();
    await admin?.close();
  });

  /** Sends request i to instance i mod 3, all at once. */
  const storm = (count: number, path: string, body: (i: number) => Record<string, unknown>) =>
    Promise.all(Array.from({ length: count }, (_, i) => call(instances[i % 3], path, body(i))));
  const liveTokens = async (licenseRowId: number) =>
    (
      await db.query(
        'SELECT count(*)::int AS count FROM license_tokens WHERE license_id = $1 AND (expire_date IS NULL OR expire_date > now())',
        [licenseRowId],
      )
    )[0].count as number;

  it('300 concurrent floating requests for a 10-seat license: exactly 10 seats, 290 NoFreeSeat; released and expired seats come back', async () => {
    const { licenseId, userKey } = await createLicense(admin, {
      signatureKeysId: key.id,
      licensingMode: 2,
      maxAllowedSites: 10,
    });

    const started = Date.now();
    const answers = await storm(300, 'floating/request', (i) => ({
      userKey,
      clientId: `client-${i}`,
      clientName: `PC-${i}`,
    }));
    const elapsed = Date.now() - started;
    const granted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(290);
    expect(new Set(granted.map((answer) => answer.body.licenseToken)).size).toBe(10);
    for (const answer of granted)
      expect(answer.body).toMatchObject({
        success: true,
        licenseToken: expect.stringMatching(/^fltk_/),
        maxClientCount: 10,
      });
    expect(Math.max(...granted.map((answer) => answer.body.activeClientCount))).toBe(10);
    for (const answer of refused) {
      expect(answer.body).toMatchObject({
        success: false,
        code: 503,
        activeClientCount: 10,
        maxClientCount: 10,
        message: expect.stringMatching(/10 of 10 floating seats/),
      });
    }
    // Every instance took part, and granted seats came from more than one of them.
    expect(await liveTokens(licenseId)).toBe(10);
    process.stdout.write(
      `\n[concurrency] 300 floating requests on 3 instances in ${elapsed} ms: ${granted.length} granted, ${refused.length} refused\n`,
    );

    // Five released (through different instances): exactly five of the next 300 get them.
    const released = await Promise.all(
      granted
        .slice(0, 5)
        .map((answer, i) =>
          call(instances[i % 3], 'floating/release', { userKey, licenseToken: answer.body.licenseToken }),
        ),
    );
    expect(released.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const second = await storm(300, 'floating/request', (i) => ({ userKey, clientId: `second-${i}` }));
    expect(second.filter((answer) => answer.status === 200)).toHaveLength(5);
    expect(second.filter((answer) => answer.status === 409)).toHaveLength(295);
    expect(await liveTokens(licenseId)).toBe(10);

    // Every seat lapses (no heartbeat): expired seats never count, so ten new clients get them.
    await db.query(`UPDATE license_tokens SET expire_date = now() - interval '1 second' WHERE license_id = $1`, [
      licenseId,
    ]);
    const third = await storm(300, 'floating/request', (i) => ({ userKey, clientId: `third-${i}` }));
    expect(third.filter((answer) => answer.status === 200)).toHaveLength(10);
    expect(third.filter((answer) => answer.status === 409)).toHaveLength(290);

    // The sweep, run by all three instances at once, deletes the lapsed ones exactly once.
    const rounds = await Promise.all(instances.map((instance) => instance.app.get(TokenSweeperService).sweep()));
    const swept = rounds.reduce((sum, round) => sum + (round.ran ? round.swept : 0), 0);
    expect(swept).toBeGreaterThanOrEqual(10);
    const [{ total }] = await db.query('SELECT count(*)::int AS total FROM license_tokens WHERE license_id = $1', [
      licenseId,
    ]);
    expect(total).toBe(10);
  }, 60_000);

  it('300 concurrent activations of distinct machines against maxAllowedSites 10: 10 node-locked activations, 290 refusals; deactivated ones come back', async () => {
    const { licenseId, userKey } = await createLicense(admin, {
      signatureKeysId: key.id,
      licensingMode: 1,
      maxAllowedSites: 10,
    });
    const answers = await storm(300, 'activate', (i) => ({ userKey, machineId: `machine-${i}`, clientId: `app-${i}` }));
    const granted = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(290);
    for (const answer of refused)
      expect(answer.body).toMatchObject({ code: 503, activeClientCount: 10, maxClientCount: 10 });
    for (const answer of granted) {
      const machineId = answers.indexOf(answer);
      expect(
        verifyLicense(answer.body.license.licenseKey, key.publicKeyPem, { machineId: `machine-${machineId}` }),
      ).toMatchObject({ valid: true });
      expect(
        verifyLicense(answer.body.license.licenseKey, key.publicKeyPem, { machineId: 'machine-elsewhere' }).valid,
      ).toBe(false);
    }
    expect(await liveTokens(licenseId)).toBe(10);
    const [{ nodeLocked }] = await db.query(
      'SELECT count(DISTINCT node_locked_license_id)::int AS "nodeLocked" FROM license_tokens WHERE license_id = $1',
      [licenseId],
    );
    expect(nodeLocked).toBe(10);

    const freed = granted.slice(0, 3).map((answer) => answers.indexOf(answer));
    for (const [i, machine] of freed.entries())
      expect((await call(instances[i % 3], 'deactivate', { userKey, machineId: `machine-${machine}` })).status).toBe(
        200,
      );
    const again = await storm(300, 'activate', (i) => ({ userKey, machineId: `later-${i}` }));
    expect(again.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(again.filter((answer) => answer.status === 409)).toHaveLength(297);
    expect(await liveTokens(licenseId)).toBe(10);
  }, 60_000);

  it('the same machine activating 30 times at once on three instances gets one activation', async () => {
    const { licenseId, userKey } = await createLicense(admin, {
      signatureKeysId: key.id,
      licensingMode: 1,
      maxAllowedSites: 2,
    });
    const answers = await storm(30, 'activate', () => ({ userKey, machineId: 'one-machine' }));
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((answer) => answer.body.licenseToken)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.license.licenseKey)).size).toBe(1);
    expect(await liveTokens(licenseId)).toBe(1);
  }, 30_000);

  (REDIS_SERVER ? it : it.skip)(
    'with REDIS_URL the rate limit of a user key is shared by the instances',
    async () => {
      const redis = await startRedis();
      const shared: Instance[] = [];
      // Set before the two instances start, so that both read it.
      const restoreLimits = await setLicensingRateLimits(admin, { perAddress: 1_000_000, perUserKey: 4 });
      try {
        process.env.REDIS_URL = redis.url;
        shared.push(await startInstance(), await startInstance());
        delete process.env.REDIS_URL;
        const { userKey } = await createLicense(admin, { signatureKeysId: key.id, licensingMode: 0 });
        const statuses: number[] = [];
        // Alternating instances: each alone would allow 4, together they allow 4.
        for (let i = 0; i < 6; i++) statuses.push((await call(shared[i % 2], 'validate', { userKey })).status);
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      } finally {
        delete process.env.REDIS_URL;
        await restoreLimits();
        for (const instance of shared) await instance.app.close();
        redis.stop();
      }
    },
    30_000,
  );
});
