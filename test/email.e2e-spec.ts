import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';
import { createCustomer, createLicense, createProduct, createSignatureKey, createTemplate } from './support/licensing';
import { unusedPort } from './support/ports';

// mailparser comes with @nestjs-modules/mailer (preview-email) and has no bundled types.
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
      onAuth: (auth, _session, callback) =>
        callback(null, { user: { username: auth.username, password: auth.password } }),
      onRcptTo: (address, _session, callback) => {
        if (address.address.startsWith('refuse'))
          return callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void simpleParser(Buffer.concat(chunks)).then((mail) => {
            this.received.push({
              envelope: {
                from: (session.envelope.mailFrom as { address: string }).address,
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              },
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
    // The run's database is shared by every spec: leave email as it was found.
    await putSettings(ctx, {
      'Email.Enabled': false,
      'Email.SmtpHost': 'localhost',
      'Email.SmtpPort': 25,
      'Email.FromAddress': 'licensing@localhost',
      'Email.FromName': 'Licensing',
    });
    await ctx.close();
    await sink.stop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  /** A stored email template resource, as a vendor would insert it. */
  async function insertEmailTemplate(
    data: string,
    meta: Record<string, unknown> | null,
    type = 'email',
  ): Promise<number> {
    const resource = {
      name: unique('email-template'),
      type,
      dataFormat: 'html',
      data,
      meta: meta ? JSON.stringify(meta) : null,
    };
    const response = await ctx.http.post('/v1/resources').set(admin).send({ resource }).expect(200);
    return response.body.resourceId;
  }

  async function licenseKeyOf(id: number): Promise<string> {
    const response = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `Id == ${id}` })
      .set(admin)
      .expect(200);
    return response.body.licenses[0].licenseKey;
  }

  const TEMPLATE_HTML =
    '<html><body><p>Dear {LicenseeName},</p><p>thank you for buying {ProductName} {ProductVersion} ({CustomerName}).</p>' +
    '<p>License {LicenseId}, user key <b>{userkey}</b>, valid until {ExpireDate}, {MaxAllowedSites} sites.</p>' +
    '<pre>{LicenseKey}</pre><p>{NotAVariable}</p></body></html>';
  const fixtures = {
    productId: 0,
    fileTemplateId: 0,
    customerId: 0,
    fileLicense: 0,
    activationLicense: 0,
    resourceId: 0,
    productName: '',
  };

  beforeAll(async () => {
    const key = await createSignatureKey(ctx, 'Ed25519');
    fixtures.productName = unique('Suite');
    fixtures.productId = await createProduct(ctx, key.id, { name: fixtures.productName });
    fixtures.fileTemplateId = (
      await createTemplate(ctx, {
        productId: fixtures.productId,
        format: 0,
        licensingMode: 0,
        licenseFileName: 'suite.lic',
        expireDays: 365,
        product: { version: '4.2' },
      })
    ).templateId;
    const activationTemplate = (
      await createTemplate(ctx, { productId: fixtures.productId, format: 2, licensingMode: 1 })
    ).templateId;
    fixtures.customerId = await createCustomer(ctx, {
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example',
    });
    fixtures.fileLicense = (
      await createLicense(ctx, {
        templateId: fixtures.fileTemplateId,
        customerId: fixtures.customerId,
        licenseeName: 'Ada <Lovelace> & Co',
        licenseeEmail: 'ada@example.com',
        maxAllowedSites: 2,
      })
    ).licenseId;
    fixtures.activationLicense = (
      await createLicense(ctx, {
        templateId: activationTemplate,
        licenseeName: 'Alan',
        licenseeEmail: 'alan@example.com',
        maxAllowedSites: 3,
      })
    ).licenseId;
    fixtures.resourceId = await insertEmailTemplate(TEMPLATE_HTML, {
      enable_send: 'true',
      email_subject: 'Your {ProductName} license {LicenseId} for {LicenseeName}',
      email_cc: 'sales@vendor.example',
      email_bcc: 'audit@vendor.example; archive@vendor.example',
    });
  });

  describe('when disabled (the default)', () => {
    it('answers 409 EmailDisabled saying how to enable it and sends nothing', async () => {
      await putSettings(ctx, { 'Email.SmtpHost': '127.0.0.1', 'Email.SmtpPort': sink.port });
      const response = await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(409);
      expect(response.body).toMatchObject({ success: false, code: 505 });
      expect(response.body.message).toMatch(/disabled.*Email\.Enabled/);
      const license = await ctx.http
        .post('/v1/email/license')
        .set(admin)
        .send({ licenseId: fixtures.fileLicense, resourceId: fixtures.resourceId })
        .expect(409);
      expect(license.body).toMatchObject({ success: false, code: 505 });
      expect(sink.received).toHaveLength(0);
    });
  });

  describe('when enabled', () => {
    beforeAll(() =>
      putSettings(ctx, {
        'Email.Enabled': true,
        'Email.SmtpHost': '127.0.0.1',
        'Email.SmtpPort': sink.port,
        'Email.FromAddress': 'licensing@vendor.example',
        'Email.FromName': 'Vendor Licensing',
      }),
    );

    it('sends an HTML message with attachments to every recipient', async () => {
      const bytes = randomBytes(5000);
      const subject = unique('Your license');
      const response = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(
          JSON.stringify(
            message({
              to: [
                { name: 'Ada Lovelace', email: 'ada@example.com' },
                { name: null, email: 'grace@example.com' },
              ],
              subject,
              body: '<h1>Welcome</h1><p>Your key is attached.</p>',
              attachments: [
                { fileName: 'license.lic', content: bytes.toString('base64'), contentType: 'application/octet-stream' },
                { fileName: 'readme.txt', content: Buffer.from('read me').toString('base64') },
              ],
            }),
          ),
        )
        .expect(200);
      expect(response.body).toMatchObject({ success: true, code: 0, message: 'The email was sent to 2 recipients' });
      expect(sink.received).toHaveLength(1);
      const [{ envelope, mail }] = sink.received;
      expect(envelope).toEqual({ from: 'licensing@vendor.example', to: ['ada@example.com', 'grace@example.com'] });
      expect(mail.subject).toBe(subject);
      expect(mail.from?.value).toEqual([{ address: 'licensing@vendor.example', name: 'Vendor Licensing' }]);
      expect(mail.to?.value).toEqual([
        { address: 'ada@example.com', name: 'Ada Lovelace' },
        { address: 'grace@example.com', name: '' },
      ]);
      expect(mail.html).toContain('<h1>Welcome</h1>');
      expect(mail.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([
        ['license.lic', 'application/octet-stream'],
        ['readme.txt', 'text/plain'],
      ]);
      expect(mail.attachments[0].content.equals(bytes)).toBe(true);
      expect(mail.attachments[1].content.toString()).toBe('read me');
    });

    it('sends plain text when isHtml is false', async () => {
      await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ body: 'Plain <b>text</b>', isHtml: false }))
        .expect(200);
      expect(sink.received[0].mail.text?.trim()).toBe('Plain <b>text</b>');
      expect(sink.received[0].mail.html).toBeFalsy();
    });

    it('refuses invalid addresses, undecodable attachments, line breaks in the subject and oversized messages with 400', async () => {
      const badAddress = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ to: [{ name: 'x', email: 'not-an-address' }] }))
        .expect(400);
      expect(badAddress.body.message).toMatch(/to\.0\.email must be a valid email address/);
      await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ to: [] }))
        .expect(400);
      const badAttachment = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ attachments: [{ fileName: 'a.bin', content: '%%% not base64 %%%' }] }))
        .expect(400);
      expect(badAttachment.body.message).toMatch(/attachments\[0\]\.content \(a\.bin\) is not valid base64/);
      const injected = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ subject: 'Hi\r\nBcc: victim@example.com' }))
        .expect(400);
      expect(injected.body.message).toMatch(/subject must be on one line/);

      await putSettings(ctx, { 'Email.MaxMessageBytes': 2048 });
      try {
        const tooLarge = await ctx.http
          .post('/v1/email/send')
          .set(admin)
          .send(message({ attachments: [{ fileName: 'big.bin', content: randomBytes(3000).toString('base64') }] }))
          .expect(400);
        expect(tooLarge.body.message).toMatch(/more than Email\.MaxMessageBytes \(2048\)/);
      } finally {
        await putSettings(ctx, { 'Email.MaxMessageBytes': 10485760 });
      }
      expect(sink.received).toHaveLength(0);
    });

    it("answers 502 with the SMTP server's reason when it refuses, and logs it", async () => {
      const subject = unique('refused');
      const response = await ctx.http
        .post('/v1/email/send')
        .set(admin)
        .send(message({ subject, to: [{ email: 'refuse@example.com' }] }))
        .expect(502);
      expect(response.body).toMatchObject({ success: false, code: 902 });
      expect(response.body.message).toMatch(/550 5\.1\.1 Mailbox unavailable/);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js:\d+/);
      expect(sink.received).toHaveLength(0);

      await ctx.app.get(DatabaseLogService).flush();
      const logged = await ctx.http
        .get('/v1/log')
        .query({ filter: `Level == "Error" and Message.Contains("${subject}")` })
        .set(admin)
        .expect(200);
      expect(logged.body.totalLogEntriesCount).toBe(1);
      expect(JSON.parse(logged.body.logEntries[0].properties)).toMatchObject({
        Reason: expect.stringMatching(/550/),
        Recipients: ['refuse@example.com'],
      });
      const request = await ctx.http
        .get('/v1/log')
        .query({ filter: 'Level == "Error" and Properties.Contains("\\"StatusCode\\":502")' })
        .set(admin)
        .expect(200);
      expect(request.body.logEntries[0].exception).toMatch(/550 5\.1\.1/);
    });

    it('answers 502 when the SMTP server is down, and uses a changed server without a restart', async () => {
      await putSettings(ctx, { 'Email.SmtpPort': await unusedPort() });
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
      await putSettings(ctx, {
        'Email.SmtpUser': 'mailer',
        'Email.SmtpPassword': 's3cret-pass',
        'Email.FromName': 'Renamed Sender',
      });
      try {
        await ctx.http.post('/v1/email/send').set(admin).send(message()).expect(200);
        expect(sink.received[0].auth).toEqual({ username: 'mailer', password: 's3cret-pass' });
        expect(sink.received[0].mail.from?.value[0].name).toBe('Renamed Sender');
      } finally {
        await putSettings(ctx, {
          'Email.SmtpUser': '',
          'Email.SmtpPassword': '',
          'Email.FromName': 'Vendor Licensing',
        });
      }
    });

    describe('license email', () => {
      it('renders a stored template and sends it to the licensee with cc, bcc and the license file', async () => {
        const response = await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.fileLicense, resourceId: fixtures.resourceId })
          .expect(200);
        expect(response.body).toMatchObject({ success: true, code: 0 });
        expect(response.body.message).toMatch(/sent to ada@example\.com, cc sales@vendor\.example and 2 bcc/);
        expect(sink.received).toHaveLength(1);
        const [{ envelope, mail }] = sink.received;
        expect(envelope.to).toEqual([
          'ada@example.com',
          'sales@vendor.example',
          'audit@vendor.example',
          'archive@vendor.example',
        ]);
        expect(mail.to?.value).toEqual([{ address: 'ada@example.com', name: 'Ada <Lovelace> & Co' }]);
        expect(mail.cc?.value).toEqual([{ address: 'sales@vendor.example', name: '' }]);

        const listed = await ctx.http
          .get('/v1/licenses')
          .query({ filter: `Id == ${fixtures.fileLicense}` })
          .set(admin)
          .expect(200);
        const license = listed.body.licenses[0];
        expect(mail.subject).toBe(`Your ${fixtures.productName} license ${license.licenseId} for Ada <Lovelace> & Co`);
        const html = mail.html as string;
        expect(html).toContain('<p>Dear Ada &lt;Lovelace&gt; &amp; Co,</p>');
        expect(html).toContain(`thank you for buying ${fixtures.productName} 4.2 (Grace Hopper).`);
        expect(html).toContain(
          `License ${license.licenseId}, user key <b>${license.userKey}</b>, valid until ${license.expireDate.slice(0, 10)}, 2 sites.`,
        );
        expect(html).toContain('{NotAVariable}');
        const escapedKey = license.licenseKey
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;');
        expect(html).toContain(`<pre>${escapedKey}</pre>`);

        expect(mail.attachments).toHaveLength(1);
        expect(mail.attachments[0]).toMatchObject({ filename: 'suite.lic', contentType: 'application/xml' });
        expect(mail.attachments[0].content.toString('utf8')).toBe(license.licenseKey);
      });

      it('attaches nothing for an Activation-mode license', async () => {
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.activationLicense, resourceId: fixtures.resourceId })
          .expect(200);
        expect(sink.received[0].envelope.to[0]).toBe('alan@example.com');
        expect(sink.received[0].mail.attachments).toHaveLength(0);
        expect(sink.received[0].mail.html).toContain('{NotAVariable}');
      });

      it("falls back to the customer's email, then to the customer's contacts marked notify", async () => {
        const customerId = await createCustomer(ctx, {
          firstName: 'Linus',
          lastName: 'T',
          email: 'linus@customer.example',
        });
        const { licenseId } = await createLicense(ctx, { templateId: fixtures.fileTemplateId, customerId });
        await ctx.http
          .put('/v1/licenses')
          .set(admin)
          .send({ license: { id: licenseId, licenseeEmail: null } })
          .expect(200);
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId, resourceId: fixtures.resourceId })
          .expect(200);
        expect(sink.received[0].mail.to?.value).toEqual([{ address: 'linus@customer.example', name: 'Linus T' }]);
        expect(sink.received[0].mail.attachments[0].content.toString('utf8')).toBe(await licenseKeyOf(licenseId));

        sink.received.length = 0;
        await ctx.http
          .put('/v1/customers')
          .set(admin)
          .send({ customer: { id: customerId, email: null } })
          .expect(200);
        for (const [email, notify] of [
          ['ops@customer.example', true],
          ['quiet@customer.example', false],
          ['cto@customer.example', true],
        ] as const) {
          await ctx.http
            .post('/v1/contacts')
            .set(admin)
            .send({ contact: { customerId, firstName: email.split('@')[0], email, notify } })
            .expect(200);
        }
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId, resourceId: fixtures.resourceId })
          .expect(200);
        expect(sink.received[0].mail.to?.value.map((address) => address.address)).toEqual([
          'ops@customer.example',
          'cto@customer.example',
        ]);

        const lonely = await createLicense(ctx, { templateId: fixtures.fileTemplateId, licenseeName: 'Nobody' });
        const nobody = await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: lonely.licenseId, resourceId: fixtures.resourceId })
          .expect(409);
        expect(nobody.body.message).toMatch(/nobody to send to/);
      });

      it('refuses when enable_send is "false", the resource is not an email template, or either id is unknown', async () => {
        const switchedOff = await insertEmailTemplate('<p>{LicenseId}</p>', {
          enable_send: 'false',
          email_subject: 'x',
        });
        const off = await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.fileLicense, resourceId: switchedOff })
          .expect(409);
        expect(off.body.message).toMatch(/enable_send/);
        const notEmail = await insertEmailTemplate('<p>x</p>', null, 'file');
        const wrongType = await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.fileLicense, resourceId: notEmail })
          .expect(400);
        expect(wrongType.body.message).toMatch(/not an email template/);
        const badCc = await insertEmailTemplate('<p>x</p>', { email_cc: 'not-an-address' });
        const cc = await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.fileLicense, resourceId: badCc })
          .expect(400);
        expect(cc.body.message).toMatch(/meta\.email_cc holds "not-an-address"/);
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: 999999, resourceId: fixtures.resourceId })
          .expect(404);
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.fileLicense, resourceId: 999999 })
          .expect(404);
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: 'abc', resourceId: fixtures.resourceId })
          .expect(400);
        expect(sink.received).toHaveLength(0);
      });

      it('uses the default subject when the template has none', async () => {
        const resourceId = await insertEmailTemplate('<p>{LicenseId}</p>', { enable_send: 'true' });
        await ctx.http
          .post('/v1/email/license')
          .set(admin)
          .send({ licenseId: fixtures.activationLicense, resourceId })
          .expect(200);
        expect(sink.received[0].mail.subject).toMatch(new RegExp(`^Your ${fixtures.productName} license \\S+$`));
      });
    });

    it('is for administrators only', async () => {
      const manager = await createUser(ctx, ['LicenseManager']);
      await ctx.http.post('/v1/email/send').set(bearer(manager.token)).send(message()).expect(403);
      await ctx.http
        .post('/v1/email/license')
        .set(bearer(manager.token))
        .send({ licenseId: 1, resourceId: 1 })
        .expect(403);
      expect(sink.received).toHaveLength(0);
    });
  });
});
