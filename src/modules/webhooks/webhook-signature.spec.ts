import { createHmac } from 'node:crypto';
import {
  WEBHOOK_SECRET_PREFIX,
  generateWebhookSecret,
  signatureHeader,
  verifySignatureHeader,
  webhookSignature,
} from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';
  const body = '{"id":"e1","type":"license.created","createdAt":"2026-01-01T00:00:00.000Z","data":{"id":1}}';
  const t = 1_767_225_600;

  it('generates whsec_ and 32 URL-safe characters, different every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, generateWebhookSecret));
    expect(secrets.size).toBe(50);
    for (const generated of secrets) {
      expect(generated.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
      expect(generated).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    }
  });

  it('signs "<t>.<raw body>" with HMAC-SHA256 keyed by the whole secret, as t=…,v1=<hex>', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(webhookSignature(secret, t, body)).toBe(expected);
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts its own header within the tolerance and refuses a changed body, secret or timestamp', () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: t + 10 })).toBe(true);
    expect(verifySignatureHeader(header, body.replace('"id":1', '"id":2'), secret, { nowSeconds: t })).toBe(false);
    expect(verifySignatureHeader(header, body, `${secret}x`, { nowSeconds: t })).toBe(false);
    // The signature covers the timestamp: moving t forward to pass the tolerance breaks it.
    const moved = header.replace(`t=${t}`, `t=${t + 1000}`);
    expect(verifySignatureHeader(moved, body, secret, { nowSeconds: t + 1000 })).toBe(false);
  });

  it('refuses a replay older (or further ahead) than the tolerance', () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: t + 301 })).toBe(false);
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: t - 301 })).toBe(false);
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: t + 301, toleranceSeconds: 600 })).toBe(true);
  });

  it('refuses malformed headers and accepts any one matching v1 among several (secret rotation)', () => {
    const good = webhookSignature(secret, t, body);
    for (const header of ['', 'v1=' + good, `t=abc,v1=${good}`, `t=${t}`, `t=${t},v1=zz`, `t=${t},v1=${good.slice(2)}`])
      expect(verifySignatureHeader(header, body, secret, { nowSeconds: t })).toBe(false);
    expect(verifySignatureHeader(`t=${t},v1=${'0'.repeat(64)},v1=${good}`, body, secret, { nowSeconds: t })).toBe(true);
  });
});
