import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiException } from '../src/common/errors';
import { SigningKeysService } from '../src/modules/resources/signing-keys.service';
import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';
import { createProduct } from './support/licensing';

const REFERENCE_RESOURCE = {
  id: 0,
  name: 'string',
  type: 'string',
  code: 'string',
  description: 'string',
  source: 'string',
  password: 'string',
  createdAt: '2019-08-24T14:15:22Z',
  updatedAt: '2019-08-24T14:15:22Z',
  data: 'string',
  dataFormat: 'string',
  meta: 'string',
};

describe('Resources and signature keys', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let db: DataSource;
  let signingKeys: SigningKeysService;
  /** Every response body of the suite, to prove no private key ever leaves the server. */
  const bodies: string[] = [];

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    db = ctx.app.get(DataSource);
    signingKeys = ctx.app.get(SigningKeysService);
  });
  afterAll(() => ctx.close());

  async function insert(
    resource: Record<string, unknown>,
    expected = 200,
  ): Promise<{ status: number; body: Record<string, any> }> {
    const response = await ctx.http.post('/v1/resources').set(admin).send({ resource });
    bodies.push(response.text);
    if (response.status !== expected)
      throw new Error(`insert resource: expected ${expected}, got ${response.status} ${response.text}`);
    return response;
  }

  async function read(id: number): Promise<Record<string, any>> {
    const response = await ctx.http
      .get('/v1/resources')
      .query({ filter: `Id == ${id}` })
      .set(admin)
      .expect(200);
    bodies.push(response.text);
    expect(response.body.totalResourcesCount).toBe(1);
    return response.body.resources[0];
  }

  async function setMaxDataBytes(value: number): Promise<void> {
    await ctx.http
      .put('/v1/settings')
      .set(admin)
      .send({ settings: [{ group: 'Application', name: 'MaxResourceDataBytes', value }] })
      .expect(200);
  }

  describe('plain resources', () => {
    it('accepts the reference insert and update bodies and never answers the password', async () => {
      const inserted = await ctx.http
        .post('/v1/resources')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify({ resource: REFERENCE_RESOURCE }))
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0, resourceId: expect.any(Number) });
      const id = inserted.body.resourceId;
      const resource = await read(id);
      expect(resource).toMatchObject({
        ...REFERENCE_RESOURCE,
        id,
        password: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(resource.createdAt).getFullYear()).toBeGreaterThanOrEqual(2025);

      const [{ password_hash }] = await db.query('SELECT password_hash FROM resources WHERE id = $1', [id]);
      expect(password_hash).toMatch(/^\$argon2id\$/);

      const update = {
        ...REFERENCE_RESOURCE,
        id,
        name: 'Renamed',
        code: unique('RES'),
        password: 'another-secret',
        data: '<p>Hi {CustomerName}</p>',
        dataFormat: 'html',
      };
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify({ resource: update }))
        .expect(200);
      const updated = await read(id);
      expect(updated).toMatchObject({
        name: 'Renamed',
        code: update.code,
        data: update.data,
        dataFormat: 'html',
        password: null,
      });
      const [{ password_hash: changed }] = await db.query('SELECT password_hash FROM resources WHERE id = $1', [id]);
      expect(changed).not.toBe(password_hash);
      expect(bodies.join('\n')).not.toMatch(/another-secret|argon2/);

      // null keeps the password, "" removes it.
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id, password: null } })
        .expect(200);
      expect((await db.query('SELECT password_hash FROM resources WHERE id = $1', [id]))[0].password_hash).toBe(
        changed,
      );
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id, password: '' } })
        .expect(200);
      expect((await db.query('SELECT password_hash FROM resources WHERE id = $1', [id]))[0].password_hash).toBeNull();
    });

    it('stores binary formats as validated base64 and checks JSON', async () => {
      const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 250]);
      const wrapped = bytes.toString('base64').replace(/(.{8})/g, '$1\n');
      const { body } = await insert({ name: unique('logo'), type: 'file', dataFormat: 'png', data: wrapped });
      expect((await read(body.resourceId)).data).toBe(bytes.toString('base64'));

      const notBase64 = await insert(
        { name: unique('bad'), type: 'file', dataFormat: 'zip', data: 'this is not base64!' },
        400,
      );
      expect(notBase64.body.message).toMatch(/resource\.data must be base64/);
      await insert({ name: unique('bad'), type: 'file', dataFormat: 'binary', data: 'QUJD=' }, 400);
      const badJson = await insert({ name: unique('bad'), type: 'file', dataFormat: 'json', data: '{"a":' }, 400);
      expect(badJson.body.message).toMatch(/not valid JSON/);
      await insert({ name: unique('json'), type: 'file', dataFormat: 'JSON', data: '{"a":1}' });

      const { body: text } = await insert({ name: unique('txt'), type: 'file', dataFormat: 'txt', data: 'plain' });
      const switched = await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id: text.resourceId, dataFormat: 'binary' } })
        .expect(400);
      expect(switched.body.message).toMatch(/base64/);
    });

    it('enforces Application.MaxResourceDataBytes on the decoded size (413)', async () => {
      await setMaxDataBytes(1024);
      try {
        const tooLarge = await insert(
          { name: unique('big'), type: 'file', dataFormat: 'txt', data: 'x'.repeat(1025) },
          413,
        );
        expect(tooLarge.body).toMatchObject({ success: false, code: 104 });
        expect(tooLarge.body.message).toMatch(
          /1025 bytes; the limit is 1024 bytes \(setting Application\.MaxResourceDataBytes\)/,
        );
        // 1,024 decoded bytes are 1,368 base64 characters, and still within the limit.
        await insert({
          name: unique('fits'),
          type: 'file',
          dataFormat: 'binary',
          data: Buffer.alloc(1024, 7).toString('base64'),
        });
        await insert(
          { name: unique('big'), type: 'file', dataFormat: 'binary', data: Buffer.alloc(1025, 7).toString('base64') },
          413,
        );
        const multiByte = await insert(
          { name: unique('big'), type: 'file', dataFormat: 'html', data: 'é'.repeat(600) },
          413,
        );
        expect(multiByte.body.message).toMatch(/1200 bytes/);
      } finally {
        await setMaxDataBytes(5 * 1024 * 1024);
      }
    });

    it('keeps codes unique regardless of case (409) and answers 404 for unknown ids', async () => {
      const code = unique('TPL');
      const holder = await insert({ name: unique('a'), type: 'email', code });
      const duplicate = await insert({ name: unique('b'), type: 'email', code: code.toUpperCase() }, 409);
      expect(duplicate.body).toMatchObject({ success: false, code: 501 });
      expect(duplicate.body.message).toContain(`resource ${holder.body.resourceId}`);
      const other = await insert({ name: unique('c'), type: 'email' });
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id: other.body.resourceId, code } })
        .expect(409);

      const unknown = await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id: 987654, name: 'x' } })
        .expect(404);
      expect(unknown.body).toMatchObject({ success: false, code: 400 });
      await ctx.http.delete('/v1/resources/987654').set(admin).expect(404);
      const nameless = await insert({ type: 'email' }, 400);
      expect(nameless.body.message).toContain('resource.name');
    });

    it('filters, sorts, selects and pages with the total counted before paging', async () => {
      const prefix = unique('list');
      const ids: number[] = [];
      for (const [suffix, type] of [
        ['a', 'email'],
        ['b', 'file'],
        ['c', 'email'],
      ]) {
        ids.push(
          (await insert({ name: `${prefix}-${suffix}`, type, dataFormat: 'txt', data: suffix })).body.resourceId,
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const page = await ctx.http
        .get('/v1/resources')
        .query({ filter: `Name.StartsWith("${prefix}")`, sort: 'CreatedAt desc', take: 1, skip: 1 })
        .set(admin)
        .expect(200);
      expect(page.body.totalResourcesCount).toBe(3);
      expect(page.body.resources.map((r: { id: number }) => r.id)).toEqual([ids[1]]);

      const emails = await ctx.http
        .get('/v1/resources')
        .query({
          filter: `Name.StartsWith("${prefix}") && Type == "email"`,
          sort: 'Name desc',
          select: 'Id,Name,Password',
        })
        .set(admin)
        .expect(200);
      expect(emails.body.totalResourcesCount).toBe(2);
      expect(emails.body.resources).toEqual([
        { id: ids[2], name: `${prefix}-c`, password: null },
        { id: ids[0], name: `${prefix}-a`, password: null },
      ]);

      await ctx.http.get('/v1/resources').query({ filter: 'Password == "x"' }).set(admin).expect(400);
      await ctx.http.get('/v1/resources').query({ include: 'products' }).set(admin).expect(400);
      await ctx.http
        .get('/v1/resources')
        .query({ filter: `CreatedAt >= "${new Date(Date.now() - 3600_000).toISOString()}"`, take: 0 })
        .set(admin)
        .expect(200);
    });
  });

  describe('signature keys', () => {
    it.each([
      ['RSA', 'rsa'],
      ['ECDSA', 'ec'],
      ['Ed25519', 'ed25519'],
    ])(
      'generates a %s key pair when no data is given; data is the public key, the private key signs',
      async (type, keyType) => {
        const { body } = await insert({
          name: unique(`key-${type}`),
          type: type.toLowerCase(),
          description: 'signing',
        });
        const id = body.resourceId;
        const resource = await read(id);
        expect(resource).toMatchObject({
          type,
          dataFormat: 'pem',
          keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
          password: null,
        });
        expect(resource.data).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n?$/);
        const publicKey = createPublicKey(resource.data);
        expect(publicKey.asymmetricKeyType).toBe(keyType);

        const [row] = await db.query('SELECT private_key_encrypted FROM resources WHERE id = $1', [id]);
        expect(row.private_key_encrypted).toMatch(/^v1:/);
        expect(row.private_key_encrypted).not.toMatch(/PRIVATE KEY/);

        const key = await signingKeys.loadSigningKey(id);
        expect(key).toMatchObject({ algorithm: type, keyId: resource.keyId });
        expect(await signingKeys.loadSigningKey(id)).toBe(key);
        const message = Buffer.from('license document');
        const digest = type === 'Ed25519' ? null : 'sha256';
        expect(verify(digest, message, publicKey, sign(digest, message, key.privateKey))).toBe(true);
        expect(await signingKeys.describePublicKey(id)).toEqual({
          keyId: resource.keyId,
          algorithm: type,
          publicKeyPem: resource.data,
        });
      },
    );

    it('generates a larger RSA key when meta asks for it', async () => {
      const { body } = await insert({ name: unique('rsa3072'), type: 'RSA', meta: '{"keySize":3072}' });
      const resource = await read(body.resourceId);
      expect(createPublicKey(resource.data).asymmetricKeyDetails?.modulusLength).toBe(3072);
      expect(resource.meta).toBe('{"keySize":3072}');
      const refused = await insert({ name: unique('rsa1000'), type: 'RSA', meta: '{"keySize":1000}' }, 400);
      expect(refused.body.message).toMatch(/2048/);
    });

    it('imports a PEM private key (PKCS#8 or SEC1) and answers its public key', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      for (const pem of [
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      ]) {
        const { body } = await insert({ name: unique('imported'), type: 'ECDSA', dataFormat: 'pem', data: pem });
        const resource = await read(body.resourceId);
        expect(resource.data).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
        const key = await signingKeys.loadSigningKey(body.resourceId);
        expect(
          key.privateKey
            .export({ type: 'pkcs8', format: 'der' })
            .equals(privateKey.export({ type: 'pkcs8', format: 'der' })),
        ).toBe(true);
      }
    });

    it('refuses RSA below 2048 bits, a type mismatch, a public key alone, non-PEM data and a non-pem format', async () => {
      const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const weak = await insert(
        {
          name: unique('weak'),
          type: 'RSA',
          data: rsa1024.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        },
        400,
      );
      expect(weak.body.message).toMatch(/resource\.data: RSA keys need at least 2048 bits; this one has 1024/);

      const ed = generateKeyPairSync('ed25519');
      const mismatch = await insert(
        {
          name: unique('mismatch'),
          type: 'RSA',
          data: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
        400,
      );
      expect(mismatch.body.message).toMatch(/declared as RSA but the PEM holds a key of type Ed25519/);

      const publicOnly = await insert(
        {
          name: unique('public'),
          type: 'Ed25519',
          data: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
        400,
      );
      expect(publicOnly.body.message).toMatch(/a signing key needs the private key/);

      await insert({ name: unique('garbage'), type: 'ECDSA', data: 'not a key' }, 400);
      const format = await insert({ name: unique('format'), type: 'Ed25519', dataFormat: 'xml' }, 400);
      expect(format.body.message).toMatch(/pem/);
    });

    it('keeps the key when a read is echoed back, replaces it with a new private key, and refuses turning it into something else', async () => {
      const { body } = await insert({ name: unique('rotate'), type: 'Ed25519' });
      const id = body.resourceId;
      const before = await read(id);
      const firstKey = await signingKeys.loadSigningKey(id);

      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { ...before, description: 'echoed' } })
        .expect(200);
      const echoed = await read(id);
      expect(echoed).toMatchObject({ keyId: before.keyId, data: before.data, description: 'echoed' });
      expect((await signingKeys.loadSigningKey(id)).keyId).toBe(firstKey.keyId);

      const replacement = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({
          resource: {
            id,
            type: 'ECDSA',
            data: replacement.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          },
        })
        .expect(200);
      const rotated = await read(id);
      expect(rotated.type).toBe('ECDSA');
      expect(rotated.keyId).not.toBe(before.keyId);
      expect(rotated.data).toBe(replacement.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      const reloaded = await signingKeys.loadSigningKey(id);
      expect(reloaded).toMatchObject({ algorithm: 'ECDSA', keyId: rotated.keyId });

      const toFile = await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id, type: 'file' } })
        .expect(400);
      expect(toFile.body.message).toMatch(/cannot become file/);
      const typeOnly = await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id, type: 'RSA' } })
        .expect(400);
      expect(typeOnly.body.message).toMatch(/needs a new RSA private key/);
      const plain = await insert({ name: unique('plain'), type: 'file', dataFormat: 'txt', data: 'x' });
      await ctx.http
        .put('/v1/resources')
        .set(admin)
        .send({ resource: { id: plain.body.resourceId, type: 'RSA' } })
        .expect(400);
    });

    it('tells the signer (400, InvalidReference) when a resource is missing or not a signature key', async () => {
      const plain = await insert({ name: unique('plain'), type: 'email', dataFormat: 'html', data: '<p/>' });
      const failure = (promise: Promise<unknown>) =>
        promise.then(
          () => undefined,
          (error: unknown) => error,
        );
      const notAKey = await failure(signingKeys.loadSigningKey(plain.body.resourceId, 'license.signatureKeysId'));
      expect(notAKey).toBeInstanceOf(ApiException);
      expect((notAKey as ApiException).getStatus()).toBe(400);
      expect((notAKey as ApiException).errorCode).toBe(107);
      expect((notAKey as ApiException).message).toMatch(
        /license\.signatureKeysId: resource \d+ \(type email\) is not a signature key/,
      );
      const missing = await failure(signingKeys.describePublicKey(987654));
      expect((missing as ApiException).message).toMatch(/signatureKeysId: resource 987654 does not exist/);
    });

    it('refuses (409) to delete a key that products point at, then deletes it once they are gone', async () => {
      const { body } = await insert({ name: unique('used'), type: 'Ed25519' });
      const id = body.resourceId;
      await signingKeys.loadSigningKey(id);
      const products = [await createProduct(ctx, id), await createProduct(ctx, id)];
      const refused = await ctx.http.delete(`/v1/resources/${id}`).set(admin).expect(409);
      expect(refused.body).toMatchObject({ success: false, code: 502 });
      expect(refused.body.message).toBe(
        `resource ${id} has 2 products signing with it; point them at another key first`,
      );
      for (const productId of products) await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(200);
      await ctx.http.delete(`/v1/resources/${id}`).set(admin).expect(200);
      await expect(signingKeys.loadSigningKey(id)).rejects.toThrow(/does not exist/);
    });

    afterAll(() => {
      expect(bodies.length).toBeGreaterThan(10);
      expect(bodies.join('\n')).not.toMatch(/PRIVATE KEY/);
    });
  });

  describe('access', () => {
    it('lets Sales read resources and manage customers, but not delete a resource (403)', async () => {
      const { body } = await insert({ name: unique('guarded'), type: 'file', dataFormat: 'txt', data: 'x' });
      const sales = bearer((await createUser(ctx, ['Sales'])).token);
      await ctx.http.get('/v1/resources').set(sales).expect(200);
      await ctx.http
        .post('/v1/customers')
        .set(sales)
        .send({ customer: { company: unique('SalesCo') } })
        .expect(200);
      await ctx.http
        .post('/v1/resources')
        .set(sales)
        .send({ resource: { name: 'x' } })
        .expect(403);
      const refused = await ctx.http.delete(`/v1/resources/${body.resourceId}`).set(sales).expect(403);
      expect(refused.body.success).toBe(false);

      const manager = bearer((await createUser(ctx, ['LicenseManager'])).token);
      await ctx.http
        .put('/v1/resources')
        .set(manager)
        .send({ resource: { id: body.resourceId, description: 'by manager' } })
        .expect(200);
      await ctx.http.delete(`/v1/resources/${body.resourceId}`).set(manager).expect(403);
      await ctx.http.delete(`/v1/resources/${body.resourceId}`).set(admin).expect(200);
    });

    it('holds an API key with Read only (1) to reading', async () => {
      const readOnly = await createApiKey(ctx, 1);
      await ctx.http.get('/v1/resources').set('x-api-key', readOnly.key).expect(200);
      await ctx.http
        .post('/v1/resources')
        .set('x-api-key', readOnly.key)
        .send({ resource: { name: 'x', type: 'file' } })
        .expect(403);
    });
  });
});
