import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';

// mailparser comes with @nestjs-modules/mailer (preview-email) and has no bundled types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { simpleParser } = require('mailparser') as { simpleParser: (source: Buffer) => Promise<ParsedMail> };

interface ParsedAddress {
  value: Array<{ address: string; name: string }>;
}
interface ParsedMail {
  subject?: string;
  from?: ParsedAddress;
  to?: ParsedAddress;
  cc?: ParsedAddress;
  html?: string | false;
  text?: string;
  attachments: Array<{ filename?: string; content: Buffer; contentType: string }>;
}

interface ReceivedMail {
  envelope: { from: string; to: string[] };
  auth?: { username?: string; password?: string };
  mail: ParsedMail;
}

/** An in-process SMTP server on a random loopback port that keeps what it receives. */
class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => callback(null, { user: { username: auth.username, password: auth.password } }),
      onRcptTo: (address, _session, callback) => {
        if (address.address.startsWith('refuse')) return callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void simpleParser(Buffer.concat(chunks)).then((mail) => {
            this.received.push({
              envelope: { from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((rcpt) => rcpt.address) },
              auth: session.user as ReceivedMail['auth'],
              mail,
            });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function putSettings(ctx: TestContext, values: Record<string, unknown>): Promise<void> {
  const settings = Object.entries(values).map(([key, value]) => {
    const [group, name] = key.split('.');
    return { group, name, value };
  });
  await ctx.http.put('/v1/settings').set(bearer(ctx.adminToken)).send({ settings }).expect(200);
}

describe('Email', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  const sink = new SmtpSink();

  const message = (extra: Record<string, unknown> = {}) => ({
    to: [{ name: 'Ada Lovelace', email: 'ada@example.com' }],
    subject: 'Hello',
    body: '<p>Hi</p>',
    isHtml: true,
    ...extra,
  });

  beforeAll(async () => {
    await sink.start();
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(async () => {
    await ctx.close();
    await sink.stop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  describe('when disabled (the default)', () => {
    it('answers 409 EmailDisabled saying how to enable it and sends nothing', async () => {
      await putSettings(ctx, { 'Email.SmtpHost': '127.0.0.1', 'Email.SmtpPort': sink.port });
      const response = await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(409);
      expect(response.body).toMatchObject({ success: false, code: 505 });
      expect(response.body.message).toMatch(/disabled.*Email\.Enabled/);
      expect(sink.received).toHaveLength(0);
    });
  });

  describe('when enabled', () => {
    beforeAll(() => putSettings(ctx, { 'Email.Enabled': true, 'Email.SmtpHost': '127.0.0.1', 'Email.SmtpPort': sink.port, 'Email.FromAddress': 'licensing@vendor.example', 'Email.FromName': 'Vendor Licensing' }));

    it('sends an HTML message with attachments to every recipient', async () => {
      const bytes = randomBytes(5000);
      const subject = unique('Your license');
      const response = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(message({
          to: [{ name: 'Ada Lovelace', email: 'ada@example.com' }, { name: null, email: 'grace@example.com' }],
          subject,
          body: '<h1>Welcome</h1><p>Your key is attached.</p>',
          attachments: [
            { fileName: 'license.lic', content: bytes.toString('base64'), contentType: 'application/octet-stream' },
            { fileName: 'readme.txt', content: Buffer.from('read me').toString('base64') },
          ],
        })))
        .expect(200);
      expect(response.body).toMatchObject({ success: true, code: 0, message: 'The email was sent to 2 recipients' });
      expect(sink.received).toHaveLength(1);
      const [{ envelope, mail }] = sink.received;
      expect(envelope).toEqual({ from: 'licensing@vendor.example', to: ['ada@example.com', 'grace@example.com'] });
      expect(mail.subject).toBe(subject);
      expect(mail.from?.value).toEqual([{ address: 'licensing@vendor.example', name: 'Vendor Licensing' }]);
      expect(mail.to?.value).toEqual([{ address: 'ada@example.com', name: 'Ada Lovelace' }, { address: 'grace@example.com', name: '' }]);
      expect(mail.html).toContain('<h1>Welcome</h1>');
      expect(mail.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([['license.lic', 'application/octet-stream'], ['readme.txt', 'text/plain']]);
      expect(mail.attachments[0].content.equals(bytes)).toBe(true);
      expect(mail.attachments[1].content.toString()).toBe('read me');
    });

    it('sends plain text when isHtml is false', async () => {
      await ctx.http.post('/v1/email/send').set(admin).send(message({ body: 'Plain <b>text</b>', isHtml: false })).expect(200);
      expect(sink.received[0].mail.text?.trim()).toBe('Plain <b>text</b>');
      expect(sink.received[0].mail.html).toBeFalsy();
    });

    it('refuses invalid addresses, undecodable attachments, line breaks in the subject and oversized messages with 400', async () => {
      const badAddress = await ctx.http.post('/v1/email/send').set(admin).send(message({ to: [{ name: 'x', email: 'not-an-address' }] })).expect(400);
      expect(badAddress.body.message).toMatch(/to\.0\.email must be a valid email address/);
      await ctx.http.post('/v1/email/send').set(admin).send(message({ to: [] })).expect(400);
      const badAttachment = await ctx.http.post('/v1/email/send').set(admin).send(message({ attachments: [{ fileName: 'a.bin', content: '%%% not base64 %%%' }] })).expect(400);
      expect(badAttachment.body.message).toMatch(/attachments\[0\]\.content \(a\.bin\) is not valid base64/);
      const injected = await ctx.http.post('/v1/email/send').set(admin).send(message({ subject: 'Hi\r\nBcc: victim@example.com' })).expect(400);
      expect(injected.body.message).toMatch(/subject must be on one line/);

      await putSettings(ctx, { 'Email.MaxMessageBytes': 2048 });
      try {
        const tooLarge = await ctx.http.post('/v1/email/send').set(admin).send(message({ attachments: [{ fileName: 'big.bin', content: randomBytes(3000).toString('base64') }] })).expect(400);
        expect(tooLarge.body.message).toMatch(/more than Email\.MaxMessageBytes \(2048\)/);
      } finally {
        await putSettings(ctx, { 'Email.MaxMessageBytes': 10485760 });
      }
      expect(sink.received).toHaveLength(0);
    });

    it('answers 502 with the SMTP server\'s reason when it refuses, and logs it', async () => {
      const subject = unique('refused');
      const response = await ctx.http.post('/v1/email/send').set(admin).send(message({ subject, to: [{ email: 'refuse@example.com' }] })).expect(502);
      expect(response.body).toMatchObject({ success: false, code: 902 });
      expect(response.body.message).toMatch(/550 5\.1\.1 Mailbox unavailable/);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js:\d+/);
      expect(sink.received).toHaveLength(0);

      await ctx.app.get(DatabaseLogService).flush();
      const logged = await ctx.http.get('/v1/log').query({ filter: `Level == "Error" and Message.Contains("${subject}")` }).set(admin).expect(200);
      expect(logged.body.totalLogEntriesCount).toBe(1);
      expect(JSON.parse(logged.body.logEntries[0].properties)).toMatchObject({ Reason: expect.stringMatching(/550/), Recipients: ['refuse@example.com'] });
      const request = await ctx.http.get('/v1/log').query({ filter: 'Level == "Error" and Properties.Contains("\\"StatusCode\\":502")' }).set(admin).expect(200);
      expect(request.body.logEntries[0].exception).toMatch(/550 5\.1\.1/);
    });

    it('answers 502 when the SMTP server is down, and uses a changed server without a restart', async () => {
      await putSettings(ctx, { 'Email.SmtpPort': await closedPort() });
      try {
        const down = await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(502);
        expect(down.body.message).toMatch(/ECONNREFUSED/);
      } finally {
        await putSettings(ctx, { 'Email.SmtpPort': sink.port });
      }
      await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(200);
      expect(sink.received).toHaveLength(1);
    });

    it('authenticates with the SMTP user and password of the settings and uses a changed sender at once', async () => {
      await putSettings(ctx, { 'Email.SmtpUser': 'mailer', 'Email.SmtpPassword': 's3cret-pass', 'Email.FromName': 'Renamed Sender' });
      try {
        await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(200);
        expect(sink.received[0].auth).toEqual({ username: 'mailer', password: 's3cret-pass' });
        expect(sink.received[0].mail.from?.value[0].name).toBe('Renamed Sender');
      } finally {
        await putSettings(ctx, { 'Email.SmtpUser': '', 'Email.SmtpPassword': '', 'Email.FromName': 'Vendor Licensing' });
      }
    });

    it('is for administrators only', async () => {
      const manager = await createUser(ctx, ['LicenseManager']);
      await ctx.http.post('/v1/email/send').set(bearer(manager.token)).send(message()).expect(403);
      await ctx.http.post('/v1/email/license').set(bearer(manager.token)).send({ licenseId: 1, resourceId: 1 }).expect(403);
      expect(sink.received).toHaveLength(0);
    });
  });
});
