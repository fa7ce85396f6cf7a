import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, publicOnlyLookup } from './webhook-url';

/** A receiver has this long to answer (headers and body) before the attempt counts as failed. */
export const RECEIVER_TIMEOUT_MS = 10_000;
const USER_AGENT = 'licensing-webhooks/1';

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * POSTs `body` to `url` with `headers`; a 2xx within RECEIVER_TIMEOUT_MS is success. Without `allowPrivate`,
 * the address connected to must be public: an IP literal is checked here, a name after DNS by the lookup.
 * Redirects are not followed (a 3xx is a failure): following one would reach a URL nobody checked.
 */
export function sendWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  allowPrivate: boolean,
): Promise<SendResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'The webhook URL is not valid' });
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isPrivateAddress(host))
    return Promise.resolve({
      ok: false,
      status: null,
      error: `${host} is a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
    });
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const outgoing = send(
      target,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          'User-Agent': USER_AGENT,
          ...headers,
        },
        ...(allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The body is read (at most a little of it) only so that the connection can close cleanly.
        response.on('data', () => undefined);
        response.on('end', () =>
          finish(
            status >= 200 && status < 300
              ? { ok: true, status, error: null }
              : { ok: false, status, error: `The receiver answered HTTP ${status}` },
          ),
        );
        response.on('error', (error) => finish({ ok: false, status, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish({ ok: false, status: null, error: `No answer within ${RECEIVER_TIMEOUT_MS / 1000} s` });
    }, RECEIVER_TIMEOUT_MS);
    outgoing.on('error', (error) => finish({ ok: false, status: null, error: error.message }));
    outgoing.end(body);
  });
}
