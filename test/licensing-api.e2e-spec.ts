import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { buildOpenApiDocument } from '../src/bootstrap';
import { TraceAction } from '../src/modules/licenses/license-trace.entity';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { TOKEN_SWEEP_LOCK, TokenSweeperService } from '../src/modules/licensing-api/token-sweeper.service';
import { verifyLicense } from '../verifier/src';
import { TestContext, bearer, startTestApp } from './support/app';
import { SignatureKey, createLicense, setLicensingRateLimits, startLicensingTestApp } from './support/licensing';

const DAY_MS = 86_400_000;

describe('Client Licensing API', () => {
  let ctx: TestContext;
  let key: SignatureKey;
  let db: DataSource;

  beforeAll(async () => {
    ({ ctx, key } = await startLicensingTestApp());
    db = ctx.app.get(DataSource);
  }, 60_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await ctx?.close();
  });

  const license = (extra: Record<string, unknown>) =>
    createLicense(ctx, {
      signatureKeysId: key.id,
      licenseeName: 'Ada',
      product: { name: 'Suite', version: '2.0' },
      features: [{ name: 'Reports' }],
      ...extra,
    });
  const post = (path: string, body: Record<string, unknown>) => ctx.http.post(`/v1/license/${path}`).send(body);
  const traces = async (licenseRowId: number) =>
    db.query<
      Array<{
        action: number;
        machineId: string | null;
        clientId: string | null;
        clientIp: string | null;
        meta: string;
      }>
    >(
      'SELECT action, machine_id AS "machineId", client_id AS "clientId", client_ip AS "clientIp", meta FROM license_traces WHERE license_id = $1 ORDER BY id',
      [licenseRowId],
    );

  describe('activation', () => {
    it('binds the license to a machine with a node-locked license the verifier accepts only on that machine', async () => {
      const expireDate = new Date(Date.now() + 30 * DAY_MS).toISOString();
      const { licenseId, licenseKeyId, userKey } = await license({
        licensingMode: 1,
        maxAllowedSites: 2,
        trace: true,
        expireDate,
        restrictions: [{ name: 'Hardware', properties: { machineId: 'anywhere' } }],
      });

      const first = await post('activate', {
        userKey,
        machineId: 'machine-A',
        clientId: 'app-1',
        clientName: 'Workstation A',
      }).expect(200);
      expect(first.body).toMatchObject({
        success: true,
        code: 0,
        licenseToken: expect.stringMatching(/^actk_[a-z0-9]{12}$/),
        activeClientCount: 1,
        maxClientCount: 2,
        license: {
          licenseId: licenseKeyId,
          licensingMode: 1,
          expireAt: expect.any(String),
          licenseKey: expect.any(String),
        },
      });
      expect(Date.parse(first.body.license.expireAt)).toBe(Date.parse(expireDate));
      const nodeLocked = first.body.license.licenseKey as string;
      const onMachine = verifyLicense(nodeLocked, key.publicKeyPem, { machineId: 'machine-A' });
      expect(onMachine).toMatchObject({ valid: true });
      expect(onMachine.license!.restrictions).toEqual([{ name: 'Hardware', properties: { machineId: 'machine-A' } }]);
      expect(onMachine.license).toMatchObject({
        licensingMode: 0,
        product: { name: 'Suite', version: '2.0' },
        licensee: { name: 'Ada' },
        features: [{ name: 'Reports' }],
      });
      expect(verifyLicense(nodeLocked, key.publicKeyPem, { machineId: 'machine-B' })).toMatchObject({
        valid: false,
        reason: expect.stringMatching(/another machine/),
      });

      // Stored as its own license row, referenced by the token.
      const [token] = await db.query(
        'SELECT node_locked_license_id AS "nodeLockedId", machine_id AS "machineId", client_name AS "clientName" FROM license_tokens WHERE token = $1',
        [first.body.licenseToken],
      );
      expect(token).toMatchObject({ machineId: 'machine-A', clientName: 'Workstation A' });
      const [row] = await db.query(
        'SELECT license_key AS "licenseKey", licensing_mode AS mode FROM licenses WHERE id = $1',
        [token.nodeLockedId],
      );
      expect(row).toEqual({ licenseKey: nodeLocked, mode: 0 });

      // The same machine again: the same activation, the same node-locked license, no extra seat.
      const again = await post('activate', { userKey, machineId: 'machine-A' }).expect(200);
      expect(again.body).toMatchObject({
        licenseToken: first.body.licenseToken,
        activeClientCount: 1,
        license: { licenseKey: nodeLocked },
      });

      await post('activate', { userKey, machineId: 'machine-B' }).expect(200);
      const full = await post('activate', { userKey, machineId: 'machine-C' }).expect(409);
      expect(full.body).toMatchObject({ success: false, code: 503, activeClientCount: 2, maxClientCount: 2 });
      expect(full.body.message).toMatch(
        new RegExp(`License ${licenseKeyId} has no free seat: 2 of 2 activations are in use`),
      );

      const valid = await post('validate', { userKey, machineId: 'machine-A' }).expect(200);
      // Activations last until deactivated (Licensing.ActivationTokenDays 0), capped at the license's expiry.
      expect(valid.body).toMatchObject({
        valid: true,
        reason: null,
        licenseToken: first.body.licenseToken,
        tokenExpireAt: expireDate,
        license: { licenseKey: nodeLocked },
      });
      expect(first.body.tokenExpireAt).toBe(expireDate);
      const notActivated = await post('validate', { userKey, machineId: 'machine-C' }).expect(200);
      expect(notActivated.body).toMatchObject({
        valid: false,
        reason: expect.stringMatching(/not activated/),
        license: { licenseId: licenseKeyId, licenseKey: null },
      });
      const otherMachine = await post('validate', {
        userKey,
        machineId: 'machine-C',
        licenseToken: first.body.licenseToken,
      }).expect(200);
      expect(otherMachine.body).toMatchObject({
        valid: false,
        reason: expect.stringMatching(/another machine/),
        license: { licenseKey: null },
      });

      const freed = await post('deactivate', { userKey, machineId: 'machine-A' }).expect(200);
      expect(freed.body).toMatchObject({ success: true, activeClientCount: 1, maxClientCount: 2 });
      expect(await db.query('SELECT 1 FROM licenses WHERE id = $1', [token.nodeLockedId])).toHaveLength(0);
      await post('deactivate', { userKey, machineId: 'machine-A' }).expect(404);
      const third = await post('activate', { userKey, machineId: 'machine-C', clientId: 'app-3' }).expect(200);
      expect(third.body).toMatchObject({ activeClientCount: 2 });
      const byToken = await post('deactivate', { userKey, licenseToken: third.body.licenseToken }).expect(200);
      expect(byToken.body).toMatchObject({ activeClientCount: 1 });

      const recorded = await traces(licenseId);
      expect(recorded.map((trace) => trace.action)).toEqual([
        TraceAction.Activate,
        TraceAction.Activate,
        TraceAction.Activate,
        TraceAction.Activate,
        TraceAction.Validate,
        TraceAction.Validate,
        TraceAction.Validate,
        TraceAction.Deactivate,
        TraceAction.Deactivate,
        TraceAction.Activate,
        TraceAction.Deactivate,
      ]);
      expect(recorded[0]).toMatchObject({ machineId: 'machine-A', clientId: 'app-1', clientIp: expect.any(String) });
      expect(JSON.parse(recorded[0].meta)).toMatchObject({ reused: false, activeClientCount: 1, maxClientCount: 2 });
      expect(JSON.parse(recorded[1].meta)).toMatchObject({ reused: true });
      expect(JSON.parse(recorded[3].meta)).toMatchObject({ result: 'NoFreeSeat', code: 503, status: 409 });
      expect(JSON.parse(recorded[8].meta)).toMatchObject({ result: 'TokenNotFound', status: 404 });
    });

    it('re-signs the node-locked license when the license changed and the machine activates again', async () => {
      const { licenseId, userKey } = await license({ licensingMode: 1, maxAllowedSites: 1 });
      const before = await post('activate', { userKey, machineId: 'renewing' }).expect(200);
      expect(before.body.license.expireAt).toBeNull();
      const expireDate = new Date(Date.now() + 90 * DAY_MS).toISOString();
      await ctx.http
        .put('/v1/licenses')
        .set(bearer(ctx.adminToken))
        .send({ license: { id: licenseId, expireDate } })
        .expect(200);
      const after = await post('activate', { userKey, machineId: 'renewing' }).expect(200);
      expect(after.body.licenseToken).toBe(before.body.licenseToken);
      expect(after.body.license.licenseKey).not.toBe(before.body.license.licenseKey);
      const verified = verifyLicense(after.body.license.licenseKey, key.publicKeyPem, { machineId: 'renewing' });
      expect(verified).toMatchObject({ valid: true, license: { expireDate: expireDate.replace('.000Z', 'Z') } });
    });

    it('refuses what cannot be activated, with stable codes', async () => {
      const floating = await license({ licensingMode: 2, maxAllowedSites: 1 });
      const file = await license({ licensingMode: 0 });
      const revoked = await license({ licensingMode: 1, maxAllowedSites: 1, revoked: true });
      const expired = await license({
        licensingMode: 1,
        maxAllowedSites: 1,
        expireDate: new Date(Date.now() - DAY_MS).toISOString(),
      });

      const unknown = await post('activate', { userKey: 'NOPE1-NOPE2-NOPE3-NOPE4', machineId: 'm' }).expect(404);
      expect(unknown.body).toMatchObject({ success: false, code: 410 });
      const wrongMode = await post('activate', { userKey: floating.userKey, machineId: 'm' }).expect(400);
      expect(wrongMode.body).toMatchObject({
        code: 108,
        message: expect.stringMatching(/floating license.*floating\/request/),
      });
      expect((await post('activate', { userKey: file.userKey, machineId: 'm' }).expect(400)).body.code).toBe(108);
      expect((await post('activate', { userKey: revoked.userKey, machineId: 'm' }).expect(403)).body).toMatchObject({
        code: 310,
        message: expect.stringMatching(/revoked/),
      });
      expect((await post('activate', { userKey: expired.userKey, machineId: 'm' }).expect(403)).body).toMatchObject({
        code: 311,
        message: expect.stringMatching(/expired/),
      });
      expect((await post('validate', { userKey: revoked.userKey }).expect(403)).body.code).toBe(310);

      // Malformed input: named, 400.
      expect((await post('activate', { userKey: floating.userKey }).expect(400)).body.message).toMatch(/machineId/);
      expect((await post('activate', { userKey: '  ', machineId: 'm' }).expect(400)).body.message).toMatch(
        /userKey must not be empty/,
      );
      expect(
        (await post('activate', { userKey: floating.userKey, machineId: 'm', surprise: 1 }).expect(400)).body.message,
      ).toMatch(/surprise/);
      expect((await post('deactivate', { userKey: floating.userKey }).expect(400)).body).toMatchObject({
        code: 106,
        message: expect.stringMatching(/machineId.*licenseToken/),
      });
      expect(
        (
          await ctx.http
            .post('/v1/license/validate')
            .set('content-type', 'application/json')
            .send('{"userKey":')
            .expect(400)
        ).body.code,
      ).toBe(101);
    });
  });

  describe('floating seats', () => {
    it('leases, keeps, extends, refuses, releases and re-leases seats', async () => {
      const { licenseId, licenseKeyId, userKey, licenseKey } = await license({
        licensingMode: 2,
        maxAllowedSites: 1,
        trace: true,
      });
      const requested = Date.now();
      const seat = await post('floating/request', {
        userKey,
        clientId: 'client-1',
        clientName: 'Laptop',
        machineId: 'hw-1',
      }).expect(200);
      expect(seat.body).toMatchObject({
        licenseToken: expect.stringMatching(/^fltk_[a-z0-9]{12}$/),
        heartbeatIntervalSeconds: 300,
        activeClientCount: 1,
        maxClientCount: 1,
        license: { licenseId: licenseKeyId, licensingMode: 2, licenseKey },
      });
      // Heartbeat interval 300 s × grace factor 2.
      const lifetime = Date.parse(seat.body.tokenExpireAt) - requested;
      expect(lifetime).toBeGreaterThan(595_000);
      expect(lifetime).toBeLessThan(605_000);

      const kept = await post('floating/request', { userKey, clientId: 'client-1' }).expect(200);
      expect(kept.body).toMatchObject({ licenseToken: seat.body.licenseToken, activeClientCount: 1 });
      const refused = await post('floating/request', { userKey, clientId: 'client-2' }).expect(409);
      expect(refused.body).toMatchObject({
        code: 503,
        activeClientCount: 1,
        maxClientCount: 1,
        message: expect.stringMatching(/1 of 1 floating seats/),
      });

      await db.query(`UPDATE license_tokens SET expire_date = now() + interval '5 seconds' WHERE token = $1`, [
        seat.body.licenseToken,
      ]);
      const beat = await post('heartbeat', { licenseToken: seat.body.licenseToken }).expect(200);
      expect(beat.body).toMatchObject({
        success: true,
        licenseToken: seat.body.licenseToken,
        heartbeatIntervalSeconds: 300,
      });
      expect(Date.parse(beat.body.tokenExpireAt) - Date.now()).toBeGreaterThan(590_000);
      const [{ lastHeartbeat }] = await db.query(
        'SELECT last_heartbeat AS "lastHeartbeat" FROM license_tokens WHERE token = $1',
        [seat.body.licenseToken],
      );
      expect(Date.now() - new Date(lastHeartbeat).getTime()).toBeLessThan(10_000);

      const validated = await post('validate', { userKey, licenseToken: seat.body.licenseToken }).expect(200);
      expect(validated.body).toMatchObject({
        valid: true,
        licenseToken: seat.body.licenseToken,
        license: { licenseKey },
      });
      const noSeat = await post('validate', { userKey }).expect(200);
      expect(noSeat.body).toMatchObject({
        valid: false,
        reason: expect.stringMatching(/No floating seat/),
        license: { licenseKey: null },
      });

      const released = await post('floating/release', { userKey, licenseToken: seat.body.licenseToken }).expect(200);
      expect(released.body).toMatchObject({ activeClientCount: 0, maxClientCount: 1 });
      expect((await post('heartbeat', { licenseToken: seat.body.licenseToken }).expect(404)).body.code).toBe(411);
      expect((await post('floating/release', { licenseToken: seat.body.licenseToken }).expect(404)).body.code).toBe(
        411,
      );
      const second = await post('floating/request', { userKey, clientId: 'client-2' }).expect(200);
      expect(second.body.licenseToken).not.toBe(seat.body.licenseToken);

      const actions = (await traces(licenseId)).map((trace) => trace.action);
      expect(actions).toEqual([
        TraceAction.FloatingRequest,
        TraceAction.FloatingRequest,
        TraceAction.FloatingRequest,
        TraceAction.Heartbeat,
        TraceAction.Validate,
        TraceAction.Validate,
        TraceAction.FloatingRelease,
        TraceAction.FloatingRequest,
      ]);
    });

    it('answers an expired seat with TokenExpired, and a token of another user key as not found', async () => {
      const mine = await license({ licensingMode: 2, maxAllowedSites: 2 });
      const theirs = await license({ licensingMode: 2, maxAllowedSites: 2 });
      const seat = await post('floating/request', { userKey: mine.userKey, clientId: 'c' }).expect(200);
      const foreign = await post('floating/request', { userKey: theirs.userKey, clientId: 'c' }).expect(200);

      const notMine = [
        await post('heartbeat', { licenseToken: foreign.body.licenseToken, userKey: mine.userKey }).expect(404),
        await post('validate', { userKey: mine.userKey, licenseToken: foreign.body.licenseToken }).expect(404),
        await post('floating/release', { userKey: mine.userKey, licenseToken: foreign.body.licenseToken }).expect(404),
        await post('deactivate', { userKey: mine.userKey, licenseToken: foreign.body.licenseToken }).expect(400),
      ];
      for (const response of notMine.slice(0, 3))
        expect(response.body).toMatchObject({ code: 411, message: expect.not.stringContaining(theirs.licenseKeyId) });
      expect(notMine[3].body.code).toBe(108);

      await db.query(`UPDATE license_tokens SET expire_date = now() - interval '1 second' WHERE token = $1`, [
        seat.body.licenseToken,
      ]);
      expect((await post('heartbeat', { licenseToken: seat.body.licenseToken }).expect(403)).body).toMatchObject({
        code: 312,
        message: expect.stringMatching(/expired at/),
      });
      expect(
        (await post('validate', { userKey: mine.userKey, licenseToken: seat.body.licenseToken }).expect(403)).body.code,
      ).toBe(312);
      // The expired seat no longer counts; the client gets a new one.
      const renewed = await post('floating/request', { userKey: mine.userKey, clientId: 'c' }).expect(200);
      expect(renewed.body).toMatchObject({ activeClientCount: 1 });
      expect(renewed.body.licenseToken).not.toBe(seat.body.licenseToken);

      const activation = await license({ licensingMode: 1, maxAllowedSites: 1 });
      const activated = await post('activate', { userKey: activation.userKey, machineId: 'hw' }).expect(200);
      expect(
        (await post('floating/request', { userKey: activation.userKey, clientId: 'c' }).expect(400)).body.code,
      ).toBe(108);
      expect(
        (await post('floating/release', { licenseToken: activated.body.licenseToken }).expect(400)).body.code,
      ).toBe(108);
      // A heartbeat on an activation is recorded, its expiry unchanged.
      expect((await post('heartbeat', { licenseToken: activated.body.licenseToken }).expect(200)).body).toMatchObject({
        tokenExpireAt: null,
      });
    });
  });

  describe('integrity', () => {
    it('refuses a license whose stored text no longer matches its hash or its signature (409 LicenseTampered)', async () => {
      const altered = await license({ licensingMode: 0, licenseeName: 'Original Name' });
      expect((await post('validate', { userKey: altered.userKey }).expect(200)).body).toMatchObject({
        valid: true,
        license: { licenseKey: altered.licenseKey },
      });
      await db.query(
        `UPDATE licenses SET license_key = replace(license_key, 'Original Name', 'Forged Name') WHERE id = $1`,
        [altered.licenseId],
      );
      const byHash = await post('validate', { userKey: altered.userKey }).expect(409);
      expect(byHash.body).toMatchObject({ code: 504, message: expect.stringMatching(/no longer matches/) });

      // The forger also fixed the hash: the signature still gives it away.
      const rehashed = await license({ licensingMode: 2, maxAllowedSites: 3, licenseeName: 'Original Name' });
      await db.query(
        `UPDATE licenses SET license_key = replace(license_key, 'Original Name', 'Forged Name'), hash = encode(sha256(convert_to(replace(license_key, 'Original Name', 'Forged Name'), 'UTF8')), 'hex') WHERE id = $1`,
        [rehashed.licenseId],
      );
      expect((await post('floating/request', { userKey: rehashed.userKey, clientId: 'c' }).expect(409)).body.code).toBe(
        504,
      );
      expect(await db.query('SELECT 1 FROM license_tokens WHERE license_id = $1', [rehashed.licenseId])).toHaveLength(
        0,
      );
    });
  });

  describe('reports', () => {
    it('stores a client report for a known user key; it appears in GET /v1/reports', async () => {
      const { userKey } = await license({ licensingMode: 0 });
      const content = Buffer.from(JSON.stringify({ error: 'NullReferenceException', at: 'Main.cs:42' })).toString(
        'base64',
      );
      const stored = await post('report', {
        userKey,
        name: 'ExceptionReport',
        version: '2.0.1',
        contentType: 'application/json',
        content,
        properties: [{ name: 'os', value: 'Windows 11' }, { name: 'culture' }],
        machineId: 'hw-7',
        clientId: 'app-7',
        clientName: 'PC-7',
      }).expect(200);
      expect(stored.body).toMatchObject({ success: true, reportId: expect.any(Number), uid: expect.any(String) });

      const listed = await ctx.http
        .get('/v1/reports')
        .query({ filter: `Id == ${stored.body.reportId}`, include: 'Properties' })
        .set(bearer(ctx.adminToken))
        .expect(200);
      expect(listed.body.reports[0]).toMatchObject({
        name: 'ExceptionReport',
        version: '2.0.1',
        contentType: 'application/json',
        content,
        machineId: 'hw-7',
        clientId: 'app-7',
        clientName: 'PC-7',
      });
      expect(
        listed.body.reports[0].properties.map((property: { name: string; value: string | null }) => [
          property.name,
          property.value,
        ]),
      ).toEqual([
        ['os', 'Windows 11'],
        ['culture', null],
      ]);

      expect((await post('report', { userKey: 'UNKNOWN-KEY', name: 'LicenseReport' }).expect(404)).body.code).toBe(410);
      expect(
        (await post('report', { userKey, name: 'LicenseReport', content: 'not base64!' }).expect(400)).body.message,
      ).toMatch(/base64/);
      const big = Buffer.alloc(1024 * 1024 + 1, 1).toString('base64');
      expect((await post('report', { userKey, name: 'LicenseReport', content: big }).expect(413)).body.code).toBe(104);
    });
  });

  describe('expiry sweep', () => {
    it('deletes expired tokens and their node-locked licenses on one instance at a time, tracing the expiry', async () => {
      const sweeper = ctx.app.get(TokenSweeperService);
      const floating = await license({ licensingMode: 2, maxAllowedSites: 1, trace: true });
      const activation = await license({ licensingMode: 1, maxAllowedSites: 1 });
      const seat = await post('floating/request', {
        userKey: floating.userKey,
        clientId: 'sweep-me',
        machineId: 'hw-s',
      }).expect(200);
      const activated = await post('activate', { userKey: activation.userKey, machineId: 'hw-a' }).expect(200);
      const [{ nodeLockedId }] = await db.query(
        'SELECT node_locked_license_id AS "nodeLockedId" FROM license_tokens WHERE token = $1',
        [activated.body.licenseToken],
      );
      await db.query(`UPDATE license_tokens SET expire_date = now() - interval '1 second' WHERE token = ANY($1)`, [
        [seat.body.licenseToken, activated.body.licenseToken],
      ]);

      // Another instance holds the lock in its batch's transaction: this one skips the round. (In a transaction, so
      // that behind a transaction pooler the lock stays with this client's server connection.)
      const other = new Client({ connectionString: process.env.DATABASE_URL });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT pg_advisory_xact_lock($1)', [TOKEN_SWEEP_LOCK]);
        expect(await sweeper.sweep()).toEqual({ ran: false });
        expect(await db.query('SELECT 1 FROM license_tokens WHERE token = $1', [seat.body.licenseToken])).toHaveLength(
          1,
        );
      } finally {
        await other.query('ROLLBACK').catch(() => undefined);
        await other.end();
      }

      const outcome = await sweeper.sweep();
      expect(outcome).toMatchObject({ ran: true, swept: expect.any(Number), nodeLockedDeleted: expect.any(Number) });
      expect(outcome.ran && outcome.swept).toBeGreaterThanOrEqual(2);
      expect(
        await db.query('SELECT 1 FROM license_tokens WHERE token = ANY($1)', [
          [seat.body.licenseToken, activated.body.licenseToken],
        ]),
      ).toHaveLength(0);
      expect(await db.query('SELECT 1 FROM licenses WHERE id = $1', [nodeLockedId])).toHaveLength(0);
      const recorded = await traces(floating.licenseId);
      expect(recorded.at(-1)).toMatchObject({
        action: TraceAction.FloatingRelease,
        clientId: 'sweep-me',
        machineId: 'hw-s',
      });
      expect(JSON.parse(recorded.at(-1)!.meta)).toMatchObject({ result: 'Expired' });
      expect(await traces(activation.licenseId)).toHaveLength(0);
    });
  });

  describe('log and documentation', () => {
    it('logs operations by public license id, never the user key', async () => {
      const { licenseKeyId, userKey } = await license({ licensingMode: 1, maxAllowedSites: 1 });
      await post('activate', { userKey, machineId: 'logged' }).expect(200);
      await post('validate', { userKey, machineId: 'logged' }).expect(200);
      await ctx.app.get(DatabaseLogService).flush();
      const entries: Array<{ message: string; properties: string }> = await db.query(
        `SELECT message, properties FROM log_entries WHERE message LIKE 'Licensing:%' AND properties LIKE $1`,
        [`%${licenseKeyId}%`],
      );
      expect(entries.map((entry) => entry.message)).toEqual([
        expect.stringMatching(new RegExp(`activation of license ${licenseKeyId} on machine logged \\(1 of 1\\)`)),
      ]);
      const requests = await db.query(`SELECT 1 FROM log_entries WHERE properties LIKE '%/v1/license/validate%'`);
      expect(requests.length).toBeGreaterThan(0);
      expect(
        await db.query('SELECT 1 FROM log_entries WHERE message LIKE $1 OR properties LIKE $1', [`%${userKey}%`]),
      ).toHaveLength(0);
    });

    it('documents the endpoints under the Licensing tag with Licensing.* schemas and operation ids', () => {
      const document = buildOpenApiDocument(ctx.app);
      const expected: Array<[string, string, string, string]> = [
        ['/v1/license/activate', 'activateLicense', 'Licensing.ActivateRequest', 'Licensing.ActivateResponse'],
        ['/v1/license/deactivate', 'deactivateLicense', 'Licensing.DeactivateRequest', 'Licensing.DeactivateResponse'],
        ['/v1/license/validate', 'validateLicense', 'Licensing.ValidateRequest', 'Licensing.ValidateResponse'],
        [
          '/v1/license/floating/request',
          'requestFloatingLicense',
          'Licensing.FloatingSeatRequest',
          'Licensing.FloatingSeatResponse',
        ],
        ['/v1/license/heartbeat', 'sendHeartbeat', 'Licensing.HeartbeatRequest', 'Licensing.HeartbeatResponse'],
        [
          '/v1/license/floating/release',
          'releaseFloatingLicense',
          'Licensing.FloatingReleaseRequest',
          'Licensing.FloatingReleaseResponse',
        ],
        ['/v1/license/report', 'submitClientReport', 'Licensing.ReportRequest', 'Licensing.ReportResponse'],
      ];
      for (const [path, operationId, request, response] of expected) {
        const operation = document.paths[path].post as unknown as Record<string, any>;
        expect(operation).toMatchObject({ operationId, tags: ['Licensing'], summary: expect.any(String) });
        // Public: an empty security list says so, rather than inheriting a document-wide requirement.
        expect(operation.security).toEqual([]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '404', '429', '503']));
        expect(operation.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${request}`);
        expect(operation.responses['200'].content['application/json'].schema.$ref).toBe(
          `#/components/schemas/${response}`,
        );
      }
      expect(document.components!.schemas!['Licensing.LicenseInfo']).toBeDefined();
    });
  });
  describe('rate limits', () => {
    /**
     * An instance of its own: its in-memory counters and blocks do not reach the other tests. Last in the
     * file: passport strategies are process-wide, so once this instance closes the first one's admin calls fail.
     */
    let limited: TestContext;
    beforeAll(async () => {
      limited = await startTestApp();
    });
    let restoreLimits: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await restoreLimits?.();
      await limited?.close();
    });

    it('answers 429 with Retry-After once a user key exceeds its limit, and counts per client address too', async () => {
      restoreLimits = await setLicensingRateLimits(limited, { perAddress: 1000, perUserKey: 3 });
      const send = (body: Record<string, unknown>) => limited.http.post('/v1/license/validate').send(body);

      const { userKey } = await license({ licensingMode: 0 });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await send({ userKey }));
      expect(answers.slice(0, 3).map((response) => response.status)).toEqual([200, 200, 200]);
      expect(answers[0].headers['x-ratelimit-limit-license']).toBe('3');
      expect(answers[0].headers['x-ratelimit-limit-client']).toBe('1000');
      expect(answers[2].headers['x-ratelimit-remaining-license']).toBe('0');
      const tooMany = answers[3];
      expect(tooMany.status).toBe(429);
      expect(tooMany.body).toMatchObject({
        success: false,
        code: 600,
        message: expect.stringMatching(/Too many licensing requests.*retry in \d+ s/),
      });
      expect(Number(tooMany.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(tooMany.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Another user key is not affected by the first one's limit.
      await send({ userKey: (await license({ licensingMode: 0 })).userKey }).expect(200);

      // Per address: every call from this address counts, the refused one too (5 so far).
      // A changed limit applies from the next call.
      await setLicensingRateLimits(limited, { perAddress: 5, perUserKey: 1000 });
      const response = await send({ userKey: (await license({ licensingMode: 0 })).userKey });
      expect(response.status).toBe(429);
      expect(response.body.code).toBe(600);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      // Only the licensing API is limited.
      await limited.http.get('/v1/info').set(bearer(limited.adminToken)).expect(200);
    });
  });
});
