import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
// The application first: importing InfoService alone would load the info module before its dependencies.
import { TestContext, bearer, createUser, startTestApp } from './support/app';
import { InfoService } from '../src/modules/info/info.service';
import { unusedPort } from './support/ports';

interface LogEntry {
  level: string;
  message: string;
  exception: string | null;
  properties: string | null;
}

/** What must never reach a reader of the log: stack frames and the server's file paths. */
const INTERNALS = [
  /\n\s*at /,
  /\bat [^\s]+ \(/,
  /node_modules/,
  /\.[cm]?[jt]s:\d+/,
  /(^|[\s'"(])\/(srv|opt|home|root|work|tmp|usr)\//,
];

describe('The database log shows no internals', () => {
  let ctx: TestContext;
  let sales: { token: string };

  beforeAll(async () => {
    ctx = await startTestApp();
    sales = await createUser(ctx, ['Sales']);
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
  });

  it('gives a Sales reader the type, message and request id of provoked failures, and no stack frame or file path', async () => {
    // A crash: the service fails with a real file-system error, whose message names a server path.
    const info = ctx.app.get(InfoService);
    const missingFile = join(process.cwd(), 'no-such-folder', 'state.json');
    const crash = jest.spyOn(info, 'get').mockImplementation(() => readFile(missingFile) as never);
    const crashed = await ctx.http.get('/v1/info').set(bearer(sales.token));
    crash.mockRestore();
    expect(crashed.status).toBe(500);
    expect(JSON.stringify(crashed.body)).not.toContain('no-such-folder');
    const requestId = crashed.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // Refused requests and a failing upstream (the SMTP server refusing the connection).
    expect((await ctx.http.get('/v1/users').set(bearer(sales.token))).status).toBe(403);
    expect((await ctx.http.get('/v1/log?filter=(((').set(bearer(sales.token))).status).toBe(400);
    const admin = bearer(ctx.adminToken);
    const settings = [
      { group: 'Email', name: 'Enabled', value: true },
      { group: 'Email', name: 'SmtpHost', value: '127.0.0.1' },
      { group: 'Email', name: 'SmtpPort', value: await unusedPort() },
    ];
    await ctx.http.put('/v1/settings').set(admin).send({ settings }).expect(200);
    try {
      const mail = { to: [{ name: 'Ada', email: 'ada@example.com' }], subject: 'Hello', body: 'Hi' };
      expect((await ctx.http.post('/v1/email/send').set(admin).send(mail)).status).toBe(502);
    } finally {
      settings[0].value = false;
      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [settings[0]] })
        .expect(200);
    }

    const read = await ctx.http.get('/v1/log?take=1000').set(bearer(sales.token));
    expect(read.status).toBe(200);
    const entries: LogEntry[] = read.body.logEntries;

    const crashEntry = entries.find((entry) => JSON.parse(entry.properties ?? '{}').RequestId === requestId);
    expect(crashEntry).toMatchObject({
      level: 'Error',
      exception: "Error: ENOENT: no such file or directory, open '<path>'",
    });
    const smtpEntry = entries.find(
      (entry) => entry.message.startsWith('Email "Hello"') || /failed at/.test(entry.message),
    );
    expect(smtpEntry?.exception).toMatch(/ECONNREFUSED/);

    const withException = entries.filter((entry) => entry.exception !== null);
    expect(withException.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries)
      for (const text of [entry.exception, entry.message, entry.properties]) {
        for (const internal of INTERNALS)
          expect({ text, internal: internal.test(text ?? '') }).toEqual({ text, internal: false });
        expect(text ?? '').not.toContain(process.cwd());
      }
  }, 60_000);
});
