import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { CustomerEntity } from '../src/modules/customers/customer.entity';
import { TokenSweeperService } from '../src/modules/licensing-api/token-sweeper.service';
import { LicenseExpiryService } from '../src/modules/webhooks/license-expiry.service';
import { WebhookDeliveryService } from '../src/modules/webhooks/webhook-delivery.service';
import { WebhookQueue } from '../src/modules/webhooks/webhook-queue.service';
import { WebhookRetentionService } from '../src/modules/webhooks/webhook-retention.service';
import { verifySignatureHeader } from '../src/modules/webhooks/webhook-signature';
import { TestContext, bearer, startTestApp, unique } from './support/app';
import {
  SignatureKey,
  createCustomer,
  createLicense,
  createSignatureKey,
  liftLicensingRateLimits,
} from './support/licensing';

/** What the receiver got: one entry per request, in arrival order. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/**
 * A real HTTP receiver in the test process. Each path answers the statuses queued for it in turn, then
 * `fallback` (200 unless set).
 */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private readonly fallback = new Map<string, number>();
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = request.url ?? '/';
        this.received.push({ path, headers: request.headers, body, event: JSON.parse(body) as Received['event'] });
        const status = this.answers.get(path)?.shift() ?? this.fallback.get(path) ?? 200;
        response.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  answer(path: string, statuses: number[], fallback?: number): void {
    this.answers.set(path, [...statuses]);
    if (fallback !== undefined) this.fallback.set(path, fallback);
  }

  at(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Small settings, so that the retries and the disabling happen within a test. */
const WEBHOOK_ENV = {
  WEBHOOK_RETRY_BASE_SECONDS: '1',
  WEBHOOK_RETRY_COUNT: '2',
  WEBHOOK_DISABLE_AFTER_FAILURES: '2',
  WEBHOOK_POLL_SECONDS: '1',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
};

async function withEnv<T>(env: Record<string, string>, start: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await start();
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
}

describe('Webhooks', () => {
  const receiver = new Receiver();
  let ctx: TestContext;
  let key: SignatureKey;
  const admin = () => bearer(ctx.adminToken);
  const db = () => ctx.app.get(DataSource);

  const savedEnv = Object.fromEntries(Object.keys(WEBHOOK_ENV).map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    await receiver.start();
    Object.assign(process.env, WEBHOOK_ENV);
    ctx = await startTestApp();
    key = await createSignatureKey(ctx, 'Ed25519');
    await liftLicensingRateLimits(ctx);
  }, 60_000);
  afterAll(async () => {
    // The specs after this one share the run's database: no webhook of this one may stay subscribed to their writes.
    if (ctx) await db().query('DELETE FROM webhooks');
    await ctx?.close();
    await receiver.stop();
    for (const [name, value] of Object.entries(savedEnv))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  const insertWebhook = async (path: string, events: string[], extra: Record<string, unknown> = {}) => {
    const response = await ctx.http
      .post('/v1/webhooks')
      .set(admin())
      .send({ webhook: { url: receiver.url(path), events, description: path, ...extra } })
      .expect(200);
    return response.body as { webhookId: number; secret: string };
  };
  const deliveries = async (webhookId: number, filter?: string) => {
    const response = await ctx.http
      .get(`/v1/webhooks/${webhookId}/deliveries`)
      .query(filter ? { filter } : {})
      .set(admin())
      .expect(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    return response.body as {
      webhookDeliveries: Array<Record<string, unknown>>;
      totalWebhookDeliveriesCount: number;
    };
  };
  const customerEvents = (path: string, company: string) =>
    receiver.at(path).filter((entry) => entry.event.data.company === company);

  it('refuses a private, loopback or non-http URL unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on', async () => {
    // Runs first: a strict instance would refuse to deliver the other tests' events to this receiver.
    const strict = await withEnv({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }, () => startTestApp());
    try {
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://localhost:9/hook',
        'http://[::1]/hook',
        'http://10.1.2.3/hook',
        'http://169.254.169.254/latest',
      ]) {
        const refused = await strict.http
          .post('/v1/webhooks')
          .set(bearer(strict.adminToken))
          .send({ webhook: { url, events: ['*'] } })
          .expect(400);
        expect(refused.body).toMatchObject({ success: false, code: 112 });
        expect(refused.body.message).toMatch(/loopback, private or link-local/);
      }
      const ftp = await strict.http
        .post('/v1/webhooks')
        .set(bearer(strict.adminToken))
        .send({ webhook: { url: 'ftp://example.com/hook', events: ['*'] } })
        .expect(400);
      expect(ftp.body).toMatchObject({ code: 112, message: 'webhook.url must use http or https, not ftp' });
    } finally {
      await strict.close();
    }
    // Passport's strategies are process-wide: the last application started serves every application's logins,
    // and the strict one's pool is closed now. A fresh instance takes over.
    await ctx.close();
    ctx = await startTestApp();
    // The same URL with the setting on.
    await ctx.http
      .post('/v1/webhooks')
      .set(admin())
      .send({ webhook: { url: 'ftp://example.com/hook', events: ['*'] } })
      .expect(400);
    const allowed = await insertWebhook('/allowed', ['webhook.test']);
    await ctx.http.delete(`/v1/webhooks/${allowed.webhookId}`).set(admin()).expect(200);
  });

  it('answers the secret once on insert; lists and the database never show it', async () => {
    const { webhookId, secret } = await insertWebhook('/once', ['license.created', 'seat.exhausted']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const listed = await ctx.http
      .get('/v1/webhooks')
      .query({ filter: `Id == ${webhookId}` })
      .set(admin())
      .expect(200);
    expect(listed.body).toMatchObject({
      success: true,
      code: 0,
      totalWebhooksCount: 1,
      webhooks: [
        { id: webhookId, url: receiver.url('/once'), events: ['license.created', 'seat.exhausted'], enabled: true },
      ],
    });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toMatch(/whsec_|secret/i);
    const [row] = await db().query('SELECT secret_encrypted AS sealed FROM webhooks WHERE id = $1', [webhookId]);
    expect(row.sealed).not.toContain(secret.slice(6));
    const [audit] = await db().query(
      `SELECT changes::text AS changes FROM audit_events WHERE action = 'webhook.created' AND entity_id = $1`,
      [String(webhookId)],
    );
    expect(audit.changes).toContain('[redacted]');
    expect(audit.changes).not.toContain(secret.slice(6));

    const unknown = await ctx.http
      .post('/v1/webhooks')
      .set(admin())
      .send({ webhook: { url: receiver.url('/x'), events: ['licence.created'] } })
      .expect(400);
    expect(unknown.body).toMatchObject({ success: false, code: 113 });
    expect(unknown.body.message).toContain('"licence.created"');

    await ctx.http
      .put('/v1/webhooks')
      .set(admin())
      .send({ webhook: { id: webhookId, enabled: false, description: 'off' } })
      .expect(200);
    const updated = await ctx.http
      .get('/v1/webhooks')
      .query({ filter: `Id == ${webhookId}` })
      .set(admin())
      .expect(200);
    expect(updated.body.webhooks[0]).toMatchObject({ enabled: false, description: 'off' });
    const disabledTest = await ctx.http.post(`/v1/webhooks/${webhookId}/test`).set(admin()).expect(409);
    expect(disabledTest.body).toMatchObject({ success: false, code: 520 });
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(404);
  });

  it('delivers a created license as license.created, signed with the secret', async () => {
    const { webhookId, secret } = await insertWebhook('/created', ['license.created']);
    const license = await createLicense(ctx, { signatureKeysId: key.id, licenseeName: 'Ada', product: { name: 'P' } });
    const [arrival] = await waitFor('license.created', () => {
      const found = receiver.at('/created').filter((entry) => entry.event.data.id === license.licenseId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({
      type: 'license.created',
      data: { id: license.licenseId, licenseId: license.licenseKeyId, licenseeName: 'Ada' },
    });
    expect(new Date(arrival.event.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // No secrets in the document: neither the license key nor the user key.
    expect(arrival.body).not.toContain(license.userKey);
    expect(arrival.event.data).not.toHaveProperty('licenseKey');
    expect(arrival.headers['content-type']).toBe('application/json');
    expect(arrival.headers['licensing-event-id']).toBe(arrival.event.id);
    const timestamp = Number(arrival.headers['licensing-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    const signature = String(arrival.headers['licensing-signature']);
    expect(signature).toMatch(new RegExp(`^t=${timestamp},v1=[0-9a-f]{64}$`));
    expect(verifySignatureHeader(signature, arrival.body, secret)).toBe(true);
    expect(verifySignatureHeader(signature, arrival.body.replace('Ada', 'Eve'), secret)).toBe(false);
    expect(verifySignatureHeader(signature, arrival.body, 'whsec_wrong')).toBe(false);

    const listed = await waitFor('the delivery to succeed', async () => {
      const page = await deliveries(webhookId, `EventId == "${arrival.event.id}" && Status == "succeeded"`);
      return page.totalWebhookDeliveriesCount ? page : undefined;
    });
    expect(listed.webhookDeliveries[0]).toMatchObject({
      eventId: arrival.event.id,
      eventType: 'license.created',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(listed.webhookDeliveries[0].deliveredAt).toEqual(expect.any(String));
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('retries a receiver that answers 500 twice, then 200: three attempts, the delivery succeeded', async () => {
    receiver.answer('/flaky', [500, 500]);
    const { webhookId } = await insertWebhook('/flaky', ['customer.created']);
    const company = unique('Flaky');
    await createCustomer(ctx, { company });
    const attempts = await waitFor('three attempts', () => {
      const found = customerEvents('/flaky', company);
      return found.length >= 3 ? found : undefined;
    });
    expect(new Set(attempts.map((entry) => entry.event.id)).size).toBe(1);
    // A retry sends the same body, signed anew.
    expect(new Set(attempts.map((entry) => entry.body)).size).toBe(1);
    const [delivery] = await waitFor('the delivery to succeed', async () => {
      const page = await deliveries(webhookId, `EventId == "${attempts[0].event.id}"`);
      return page.webhookDeliveries[0]?.status === 'succeeded' ? page.webhookDeliveries : undefined;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, responseStatus: 200, lastError: null });
    await sleep(1500);
    expect(customerEvents('/flaky', company)).toHaveLength(3);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends nothing for a write that rolled back', async () => {
    const { webhookId } = await insertWebhook('/rollback', ['customer.created']);
    const rolledBack = unique('RolledBack');
    let outboxInside = 0;
    await expect(
      db().transaction(async (manager) => {
        await manager.save(
          manager.create(CustomerEntity, { firstName: 'R', lastName: 'B', company: rolledBack, code: rolledBack }),
        );
        // The event is in the outbox within the write's transaction...
        [{ count: outboxInside }] = await manager.query(
          `SELECT count(*)::int AS count FROM webhook_outbox WHERE type = 'customer.created'`,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(outboxInside).toBeGreaterThan(0);
    // ...and goes with it: a later committed write arrives, the rolled-back one never does.
    const committed = unique('Committed');
    await createCustomer(ctx, { company: committed });
    await waitFor('the committed customer', () => (customerEvents('/rollback', committed).length ? true : undefined));
    await sleep(1500);
    expect(receiver.at('/rollback').filter((entry) => entry.body.includes(rolledBack))).toHaveLength(0);
    expect((await deliveries(webhookId)).totalWebhookDeliveriesCount).toBe(1);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends seat.exhausted when an activation is refused because the license is full', async () => {
    const { webhookId } = await insertWebhook('/seats', ['seat.exhausted']);
    const license = await createLicense(ctx, {
      signatureKeysId: key.id,
      licenseeName: 'Ada',
      product: { name: 'P' },
      licensingMode: 1,
      maxAllowedSites: 1,
    });
    await ctx.http.post('/v1/license/activate').send({ userKey: license.userKey, machineId: 'machine-A' }).expect(200);
    const refused = await ctx.http
      .post('/v1/license/activate')
      .send({ userKey: license.userKey, machineId: 'machine-B', clientId: 'app-2' })
      .expect(409);
    expect(refused.body).toMatchObject({ code: 503 });
    const [arrival] = await waitFor('seat.exhausted', () => {
      const found = receiver.at('/seats').filter((entry) => entry.event.data.id === license.licenseId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({
      type: 'seat.exhausted',
      data: {
        id: license.licenseId,
        licenseId: license.licenseKeyId,
        seat: {
          kind: 'activation',
          machineId: 'machine-B',
          clientId: 'app-2',
          activeClientCount: 1,
          maxClientCount: 1,
        },
      },
    });
    // A pre-allocation through the Management API refused for the same reason is one too.
    await ctx.http
      .post(`/v1/licenses/${license.licenseId}/tokens`)
      .set(admin())
      .send({ licenseToken: { machineId: 'machine-C' } })
      .expect(409);
    const seatOf = (entry: Received) => entry.event.data.seat as Record<string, unknown> | undefined;
    const [management] = await waitFor('seat.exhausted from the Management API', () => {
      const found = receiver.at('/seats').filter((entry) => seatOf(entry)?.machineId === 'machine-C');
      return found.length ? found : undefined;
    });
    expect(management.event).toMatchObject({
      type: 'seat.exhausted',
      data: { id: license.licenseId, seat: { machineId: 'machine-C', activeClientCount: 1, maxClientCount: 1 } },
    });
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends seat.expired for an activation the sweeper removes', async () => {
    const { webhookId } = await insertWebhook('/expired', ['seat.expired']);
    const license = await createLicense(ctx, {
      signatureKeysId: key.id,
      licenseeName: 'Ada',
      product: { name: 'P' },
      licensingMode: 1,
      maxAllowedSites: 2,
    });
    const activated = await ctx.http
      .post('/v1/license/activate')
      .send({ userKey: license.userKey, machineId: 'machine-E', clientId: 'app-e' })
      .expect(200);
    await db().query(`UPDATE license_tokens SET expire_date = now() - interval '1 minute' WHERE token = $1`, [
      activated.body.licenseToken,
    ]);
    await ctx.app.get(TokenSweeperService).sweep();
    const [arrival] = await waitFor('seat.expired', () => {
      const found = receiver.at('/expired').filter((entry) => entry.event.data.id === license.licenseId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({
      type: 'seat.expired',
      data: {
        id: license.licenseId,
        licenseId: license.licenseKeyId,
        seat: { kind: 'activation', machineId: 'machine-E', clientId: 'app-e', tokenId: expect.any(Number) },
      },
    });
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends license.expiring once, Licensing.ExpiringNoticeDays before the expiry date', async () => {
    const { webhookId } = await insertWebhook('/expiring', ['license.expiring']);
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const soon = await createLicense(ctx, {
      signatureKeysId: key.id,
      licenseeName: 'Ada',
      product: { name: 'P' },
      expireDate: inDays(3),
    });
    const later = await createLicense(ctx, {
      signatureKeysId: key.id,
      licenseeName: 'Ada',
      product: { name: 'P' },
      expireDate: inDays(30),
    });
    const expiry = ctx.app.get(LicenseExpiryService);
    expect(await expiry.announceExpiring()).toBeGreaterThanOrEqual(1);
    const [arrival] = await waitFor('license.expiring', () => {
      const found = receiver.at('/expiring').filter((entry) => entry.event.data.id === soon.licenseId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({
      type: 'license.expiring',
      data: { id: soon.licenseId, licenseId: soon.licenseKeyId, expiring: { noticeDays: 7 } },
    });
    // The next day's run announces nothing new for the same expiry date.
    expect(await expiry.announceExpiring()).toBe(0);
    await sleep(1500);
    expect(receiver.at('/expiring').filter((entry) => entry.event.data.id === soon.licenseId)).toHaveLength(1);
    expect(receiver.at('/expiring').filter((entry) => entry.event.data.id === later.licenseId)).toHaveLength(0);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('queues webhook.test and sends a delivery again on redeliver', async () => {
    const { webhookId, secret } = await insertWebhook('/test', ['license.created']);
    const queued = await ctx.http.post(`/v1/webhooks/${webhookId}/test`).set(admin()).expect(200);
    expect(queued.body).toMatchObject({ success: true, code: 0, eventId: expect.any(String) });
    const [arrival] = await waitFor('webhook.test', () => {
      const found = receiver.at('/test').filter((entry) => entry.event.id === queued.body.eventId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({ type: 'webhook.test', data: { id: webhookId, url: receiver.url('/test') } });
    expect(verifySignatureHeader(String(arrival.headers['licensing-signature']), arrival.body, secret)).toBe(true);
    await waitFor('the test delivery to succeed', async () =>
      (await deliveries(webhookId, 'Status == "succeeded"')).totalWebhookDeliveriesCount ? true : undefined,
    );

    await ctx.http
      .post(`/v1/webhooks/${webhookId}/deliveries/${queued.body.webhookDeliveryId}/redeliver`)
      .set(admin())
      .expect(200);
    await waitFor('the redelivery', () =>
      receiver.at('/test').filter((entry) => entry.event.id === queued.body.eventId).length === 2 ? true : undefined,
    );
    const [again] = await waitFor('the redelivery to succeed', async () => {
      const page = await deliveries(webhookId);
      return page.webhookDeliveries[0]?.attempts === 2 && page.webhookDeliveries[0]?.status === 'succeeded'
        ? page.webhookDeliveries
        : undefined;
    });
    expect(again).toMatchObject({ id: queued.body.webhookDeliveryId, status: 'succeeded', attempts: 2 });
    await ctx.http.post(`/v1/webhooks/${webhookId}/deliveries/999999/redeliver`).set(admin()).expect(404);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends an attempt again only when its instance was lost while sending it', async () => {
    const { webhookId } = await insertWebhook('/lost', ['webhook.test']);
    // Two deliveries as an instance leaves them when it claimed attempt 1 and died (pg-boss runs the expired job
    // again): one claimed a minute ago, one claimed just now (still under way elsewhere).
    const claim = async (eventId: string, startedAgo: string) => {
      const [row] = await db().query(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, attempts, attempt_started_at)
         VALUES ($1, $2, 'webhook.test', $3, 1, now() - $4::interval) RETURNING id`,
        [
          webhookId,
          eventId,
          JSON.stringify({ id: eventId, type: 'webhook.test', createdAt: new Date(), data: {} }),
          startedAgo,
        ],
      );
      await db().transaction((manager) =>
        ctx.app.get(WebhookQueue).send(manager, { deliveryId: String(row.id), attempt: 1 }),
      );
      return String(row.id);
    };
    const lostEvent = '00000000-0000-4000-8000-000000000001';
    const busyEvent = '00000000-0000-4000-8000-000000000002';
    const lost = await claim(lostEvent, '1 minute');
    const busy = await claim(busyEvent, '0 seconds');
    await waitFor('the lost attempt', () =>
      receiver.at('/lost').some((entry) => entry.event.id === lostEvent) ? true : undefined,
    );
    await waitFor('the lost attempt to succeed', async () => {
      const page = await deliveries(webhookId, `Id == ${lost}`);
      return page.webhookDeliveries[0]?.status === 'succeeded' ? true : undefined;
    });
    expect((await deliveries(webhookId, `Id == ${lost}`)).webhookDeliveries[0]).toMatchObject({ attempts: 1 });
    await sleep(1500);
    expect(receiver.at('/lost').filter((entry) => entry.event.id === busyEvent)).toHaveLength(0);
    expect((await deliveries(webhookId, `Id == ${busy}`)).webhookDeliveries[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  });

  it('sends webhook changes with the webhook as data, never its secret; purges finished deliveries after the retention', async () => {
    const watcher = await insertWebhook('/meta', ['webhook.updated']);
    const watched = await insertWebhook('/watched', ['license.created']);
    await ctx.http
      .put('/v1/webhooks')
      .set(admin())
      .send({ webhook: { id: watched.webhookId, description: 'renamed' } })
      .expect(200);
    const [arrival] = await waitFor('webhook.updated', () => {
      const found = receiver.at('/meta').filter((entry) => entry.event.data.id === watched.webhookId);
      return found.length ? found : undefined;
    });
    expect(arrival.event).toMatchObject({
      type: 'webhook.updated',
      data: {
        id: watched.webhookId,
        url: receiver.url('/watched'),
        description: 'renamed',
        changes: { description: { from: '/watched', to: 'renamed' } },
      },
    });
    expect(arrival.body).not.toContain(watched.secret);
    expect(arrival.body).not.toContain(watched.secret.slice(6));

    const [{ id: finished }] = await db().query(
      `UPDATE webhook_deliveries SET created_at = now() - interval '40 days' WHERE webhook_id = $1 AND status = 'succeeded' RETURNING id`,
      [watcher.webhookId],
    );
    const [{ id: waiting }] = await db().query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, created_at)
       VALUES ($1, gen_random_uuid(), 'webhook.test', '{}', now() - interval '40 days') RETURNING id`,
      [watched.webhookId],
    );
    expect(await ctx.app.get(WebhookRetentionService).purgeFinished()).toBeGreaterThanOrEqual(1);
    const left = await db().query(`SELECT id FROM webhook_deliveries WHERE id = ANY($1::bigint[])`, [
      [finished, waiting],
    ]);
    // Application.WebhookDeliveryRetentionDays is 30: the old finished one went, the old pending one stays.
    expect(left.map((row: { id: string }) => row.id)).toEqual([waiting]);
    await ctx.http.delete(`/v1/webhooks/${watched.webhookId}`).set(admin()).expect(200);
    await ctx.http.delete(`/v1/webhooks/${watcher.webhookId}`).set(admin()).expect(200);
  });

  it('disables a webhook after N failed deliveries in a row, with an audit event', async () => {
    receiver.answer('/down', [], 503);
    const { webhookId } = await insertWebhook('/down', ['customer.created']);
    const companies = [unique('Down'), unique('Down')];
    for (const company of companies) await createCustomer(ctx, { company });
    // WEBHOOK_DISABLE_AFTER_FAILURES=2: both deliveries fail after 1 + WEBHOOK_RETRY_COUNT (2) attempts.
    const [audit] = await waitFor(
      'webhook.disabled',
      async () => {
        const rows = await db().query(
          `SELECT actor_type AS "actorType", changes FROM audit_events WHERE action = 'webhook.disabled' AND entity_id = $1`,
          [String(webhookId)],
        );
        return rows.length ? rows : undefined;
      },
      40_000,
    );
    expect(audit).toMatchObject({ actorType: 'system', changes: { enabled: { from: true, to: false } } });
    const listed = await ctx.http
      .get('/v1/webhooks')
      .query({ filter: `Id == ${webhookId}` })
      .set(admin())
      .expect(200);
    expect(listed.body.webhooks[0]).toMatchObject({ enabled: false, consecutiveFailures: 2 });
    const failed = await deliveries(webhookId, 'Status == "failed"');
    expect(failed.totalWebhookDeliveriesCount).toBe(2);
    expect(failed.webhookDeliveries[0]).toMatchObject({
      attempts: 3,
      responseStatus: 503,
      lastError: 'The receiver answered HTTP 503',
    });
    for (const company of companies) expect(customerEvents('/down', company)).toHaveLength(3);
    // A disabled webhook receives nothing.
    const after = unique('After');
    await createCustomer(ctx, { company: after });
    await sleep(2500);
    expect(customerEvents('/down', after)).toHaveLength(0);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  }, 60_000);

  it('delivers each event once with two instances on the same database', async () => {
    const other = await startTestApp();
    try {
      const { webhookId } = await insertWebhook('/twice', ['customer.created']);
      const companies = Array.from({ length: 12 }, () => unique('Twice'));
      await Promise.all(
        companies.map((company, index) =>
          (index % 2 ? other : ctx).http
            .post('/v1/customers')
            .set(bearer(index % 2 ? other.adminToken : ctx.adminToken))
            .send({ customer: { firstName: 'T', lastName: 'W', company } })
            .expect(200),
        ),
      );
      await waitFor('every event', () =>
        companies.every((company) => customerEvents('/twice', company).length > 0) ? true : undefined,
      );
      await sleep(2500);
      for (const company of companies) expect(customerEvents('/twice', company)).toHaveLength(1);
      const ids = receiver.at('/twice').map((entry) => entry.event.id);
      expect(new Set(ids).size).toBe(ids.length);
      await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
    } finally {
      // The instance started last serves both applications' logins (Passport's strategies are process-wide), so the
      // older one goes and the newer one stays.
      await ctx.close();
      ctx = other;
    }
  }, 60_000);

  it('queues again at start the pending deliveries of a restored database, whose queue was not in the backup', async () => {
    const { webhookId } = await insertWebhook('/restored', ['webhook.test']);
    const eventId = '00000000-0000-4000-8000-000000000003';
    // As a restore leaves a delivery that was waiting for its first attempt: the row, no job in the queue's schema.
    const [row] = await db().query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, next_attempt_at)
       VALUES ($1, $2, 'webhook.test', $3, now()) RETURNING id`,
      [webhookId, eventId, JSON.stringify({ id: eventId, type: 'webhook.test', createdAt: new Date(), data: {} })],
    );
    await ctx.close();
    ctx = await startTestApp();
    await waitFor('the requeued attempt', () =>
      receiver.at('/restored').some((entry) => entry.event.id === eventId) ? true : undefined,
    );
    await waitFor('the requeued delivery to succeed', async () => {
      const page = await deliveries(webhookId, `Id == ${row.id}`);
      return page.webhookDeliveries[0]?.status === 'succeeded' ? true : undefined;
    });
    expect(receiver.at('/restored').filter((entry) => entry.event.id === eventId)).toHaveLength(1);
    expect((await deliveries(webhookId, `Id == ${row.id}`)).webhookDeliveries[0]).toMatchObject({ attempts: 1 });

    // A pending delivery whose retry is queued for later is left alone: it keeps its one job.
    const laterEvent = '00000000-0000-4000-8000-000000000004';
    const [waiting] = await db().query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, next_attempt_at)
       VALUES ($1, $2, 'webhook.test', '{}', now() + interval '1 hour') RETURNING id`,
      [webhookId, laterEvent],
    );
    await db().transaction((manager) =>
      ctx.app
        .get(WebhookQueue)
        .send(manager, { deliveryId: String(waiting.id), attempt: 1 }, new Date(Date.now() + 3_600_000)),
    );
    await ctx.app.get(WebhookDeliveryService).requeueOrphans();
    const jobs = await db().query(`SELECT state FROM pgboss.job WHERE data->>'deliveryId' = $1`, [String(waiting.id)]);
    expect(jobs).toEqual([{ state: 'created' }]);
    await ctx.http.delete(`/v1/webhooks/${webhookId}`).set(admin()).expect(200);
  }, 60_000);

  it('still delivers when the service restarts between two attempts', async () => {
    receiver.answer('/restart', [500]);
    const { webhookId } = await insertWebhook('/restart', ['customer.created']);
    const company = unique('Restart');
    await createCustomer(ctx, { company });
    await waitFor('the first attempt', () => (customerEvents('/restart', company).length ? true : undefined));
    // The retry is due a second later, while no instance runs: it waits in the queue's tables.
    await ctx.close();
    await sleep(1500);
    expect(customerEvents('/restart', company)).toHaveLength(1);
    ctx = await startTestApp();
    await waitFor('the retry after the restart', () =>
      customerEvents('/restart', company).length >= 2 ? true : undefined,
    );
    const [delivery] = await waitFor('the delivery to succeed', async () => {
      const page = await deliveries(webhookId);
      return page.webhookDeliveries[0]?.status === 'succeeded' ? page.webhookDeliveries : undefined;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, responseStatus: 200 });
    expect(customerEvents('/restart', company)).toHaveLength(2);
  }, 60_000);
});
