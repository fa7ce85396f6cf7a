import { TestContext, bearer, startTestApp, unique } from './app';

/** Records the licensing specs build on, created through the API as an administrator. */

async function post<T = Record<string, unknown>>(ctx: TestContext, path: string, body: object): Promise<T> {
  const response = await ctx.http.post(path).set(bearer(ctx.adminToken)).send(body);
  if (response.status !== 200)
    throw new Error(`POST ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as T;
}

export interface SignatureKey {
  id: number;
  publicKeyPem: string;
}

/** A generated signature key resource and its public key, read back as a vendor would (GET /v1/resources). */
export async function createSignatureKey(
  ctx: TestContext,
  algorithm: 'RSA' | 'ECDSA' | 'Ed25519' = 'Ed25519',
): Promise<SignatureKey> {
  const { resourceId } = await post<{ resourceId: number }>(ctx, '/v1/resources', {
    resource: { name: unique(`key-${algorithm}`), type: algorithm },
  });
  const listed = await ctx.http
    .get('/v1/resources')
    .query({ filter: `Id == ${resourceId}` })
    .set(bearer(ctx.adminToken))
    .expect(200);
  return { id: resourceId, publicKeyPem: listed.body.resources[0].data };
}

export async function createProduct(
  ctx: TestContext,
  signatureKeysId: number | null,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const { productId } = await post<{ productId: number }>(ctx, '/v1/products', {
    product: { name: unique('product'), signatureKeysId, ...extra },
  });
  return productId;
}

export async function createRelease(ctx: TestContext, productId: number, version = '1.0'): Promise<number> {
  const { releaseId } = await post<{ releaseId: number }>(ctx, `/v1/products/${productId}/releases`, {
    release: { name: `v${version}`, version },
  });
  return releaseId;
}

export async function createCustomer(ctx: TestContext, extra: Record<string, unknown> = {}): Promise<number> {
  const { customerId } = await post<{ customerId: number }>(ctx, '/v1/customers', {
    customer: {
      firstName: 'Grace',
      lastName: 'Hopper',
      company: unique('Navy'),
      email: `${unique('grace')}@example.com`,
      ...extra,
    },
  });
  return customerId;
}

export async function createOrder(ctx: TestContext, customerId: number): Promise<number> {
  const { orderId } = await post<{ orderId: number }>(ctx, '/v1/orders', { order: { customerId } });
  return orderId;
}

export async function createTemplate(
  ctx: TestContext,
  template: Record<string, unknown>,
): Promise<{ templateId: number; template: string }> {
  return post(ctx, '/v1/license-templates', { licenseTemplate: { name: unique('template'), ...template } });
}

export interface InsertedLicense {
  licenseId: number;
  licenseKeyId: string;
  userKey: string;
  licenseKey: string;
}

export async function createLicense(ctx: TestContext, license: Record<string, unknown>): Promise<InsertedLicense> {
  return post(ctx, '/v1/licenses', { license });
}

/** Both licensing rate limits, per client address and per user key, through PUT /v1/settings as an operator sets them. */
async function putLicensingRateLimits(ctx: TestContext, perAddress: unknown, perUserKey: unknown): Promise<void> {
  await ctx.http
    .put('/v1/settings')
    .set(bearer(ctx.adminToken))
    .send({
      settings: [
        { group: 'Licensing', name: 'RateLimitPerMinute', value: perAddress },
        { group: 'Licensing', name: 'UserKeyRateLimitPerMinute', value: perUserKey },
      ],
    })
    .expect(200);
}

/**
 * Sets the licensing rate limits and answers a function that puts back the values they had: the specs of one run
 * share a database, so a low limit must not outlive its spec.
 */
export async function setLicensingRateLimits(
  ctx: TestContext,
  limits: { perAddress: number; perUserKey: number },
): Promise<() => Promise<void>> {
  const { body } = await ctx.http.get('/v1/settings?group=Licensing').set(bearer(ctx.adminToken)).expect(200);
  const valueOf = (name: string) =>
    (body.settings as Array<{ name: string; value: unknown }>).find((setting) => setting.name === name)!.value;
  const previous = [valueOf('RateLimitPerMinute'), valueOf('UserKeyRateLimitPerMinute')] as const;
  await putLicensingRateLimits(ctx, limits.perAddress, limits.perUserKey);
  return () => putLicensingRateLimits(ctx, ...previous);
}

/** Lifts both licensing rate limits (per address and per user key) so that a spec's own traffic never meets them. */
export async function liftLicensingRateLimits(ctx: TestContext, perMinute = 1_000_000): Promise<void> {
  await putLicensingRateLimits(ctx, perMinute, perMinute);
}

/**
 * A started app with an Ed25519 signature key and the client API's rate limits lifted, the set-up of the specs
 * that issue licenses and call the client API (the limits have their own tests).
 */
export async function startLicensingTestApp(): Promise<{ ctx: TestContext; key: SignatureKey }> {
  const ctx = await startTestApp();
  try {
    const key = await createSignatureKey(ctx, 'Ed25519');
    await liftLicensingRateLimits(ctx);
    return { ctx, key };
  } catch (error) {
    await ctx.close();
    throw error;
  }
}
