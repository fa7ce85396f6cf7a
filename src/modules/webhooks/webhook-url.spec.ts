import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { sendWebhook } from './webhook-sender';
import { isPrivateAddress, privateAddressOf, webhookUrlProblem } from './webhook-url';

describe('webhook URLs', () => {
  it('accepts absolute http and https URLs only, without credentials', () => {
    expect(webhookUrlProblem('https://hooks.example.com/licensing')).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com:8080/x?y=1')).toBeNull();
    expect(webhookUrlProblem('ftp://example.com/x')).toBe('webhook.url must use http or https, not ftp');
    expect(webhookUrlProblem('file:///etc/passwd')).toMatch(/http or https, not file/);
    expect(webhookUrlProblem('/relative')).toMatch(/absolute http or https URL/);
    expect(webhookUrlProblem('https://user:pw@example.com/')).toMatch(/user name or password/);
  });

  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::abcd',
    '::ffff:127.0.0.1',
    '::ffff:10.1.2.3',
  ])('refuses %s as private, loopback or link-local', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'accepts %s as public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('checks every address a name resolves to', async () => {
    const lookup = (answers: string[]) => () =>
      Promise.resolve(answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    expect(await privateAddressOf('hooks.example.com', lookup(['93.184.216.34']))).toBeNull();
    expect(await privateAddressOf('rebind.example.com', lookup(['93.184.216.34', '10.0.0.7']))).toBe('10.0.0.7');
    expect(await privateAddressOf('127.0.0.1', lookup([]))).toBe('127.0.0.1');
    expect(await privateAddressOf('[::1]', lookup([]))).toBe('::1');
    await expect(privateAddressOf('nowhere.invalid', () => Promise.reject(new Error('ENOTFOUND')))).rejects.toThrow();
  });

  describe('at delivery', () => {
    let hits = 0;
    const server = createServer((_, response) => {
      hits++;
      response.writeHead(204).end();
    });
    let port = 0;
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('does not connect to a private address, by IP or by a name resolving to one, unless allowed', async () => {
      const byIp = await sendWebhook(`http://127.0.0.1:${port}/x`, '{}', {}, false);
      expect(byIp).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/loopback, private/) });
      const byName = await sendWebhook(`http://localhost:${port}/x`, '{}', {}, false);
      expect(byName).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/resolves to .*loopback/) });
      expect(hits).toBe(0);
      const allowed = await sendWebhook(`http://localhost:${port}/x`, '{}', {}, true);
      expect(allowed).toEqual({ ok: true, status: 204, error: null });
      expect(hits).toBe(1);
    });
  });
});
