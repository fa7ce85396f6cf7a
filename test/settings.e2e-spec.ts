import { randomBytes } from 'node:crypto';
import { ReportsService } from '../src/modules/reports/reports.service';
import { SETTING_DEFINITIONS } from '../src/modules/settings/setting-definitions';
import { SettingsService } from '../src/modules/settings/settings.service';
import { TestContext, bearer, createUser, startTestApp } from './support/app';

interface Setting {
  group: string;
  name: string;
  type: string;
  value: unknown;
  readOnly: boolean;
  isSet?: boolean;
}

describe('Application settings', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;

  const put = (settings: Array<{ group: string; name: string; value: unknown; type?: string }>) =>
    ctx.http.put('/v1/settings').set(admin).send({ settings });
  const valueOf = async (group: string, name: string) => {
    const response = await ctx.http.get('/v1/settings').query({ group }).set(admin).expect(200);
    return (response.body.settings as Setting[]).find((setting) => setting.name === name);
  };

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  it('lists every definition with its type and default, or one group in any case', async () => {
    const all = await ctx.http.get('/v1/settings').set(admin).expect(200);
    expect(all.body.settings).toHaveLength(SETTING_DEFINITIONS.length);
    expect(all.body.settings.find((setting: Setting) => setting.name === 'LogRetentionDays')).toMatchObject({
      group: 'Application',
      type: 'Int32',
      value: 30,
      readOnly: false,
    });

    const email = await ctx.http.get('/v1/settings').query({ group: 'email' }).set(admin).expect(200);
    const emailNames = SETTING_DEFINITIONS.filter((definition) => definition.group === 'Email').map(
      (definition) => definition.name,
    );
    expect(email.body.settings.map((setting: Setting) => setting.name)).toEqual(emailNames);
    expect(email.body.settings.every((setting: Setting) => setting.group === 'Email')).toBe(true);

    const unknown = await ctx.http.get('/v1/settings').query({ group: 'Weather' }).set(admin).expect(400);
    expect(unknown.body.message).toMatch(/Application, Licensing, Email, Reporting/);
  });

  it('answers the latest migration as the read-only DatabaseVersion', async () => {
    const version = await valueOf('Application', 'DatabaseVersion');
    expect(version).toMatchObject({ readOnly: true, value: expect.stringMatching(/^[A-Za-z]+\d{13}$/) });
  });

  it('validates each value against its type and range, naming the setting, all or nothing', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['Application', 'LogRetentionDays', 0, /Application\.LogRetentionDays must be between 1 and 3650/],
      ['Application', 'LogRetentionDays', 'ten', /Application\.LogRetentionDays must be a whole number/],
      [
        'Application',
        'LogMinimumLevel',
        'Loud',
        /Application\.LogMinimumLevel must be one of Verbose, Debug, Information, Warning, Error, Fatal/,
      ],
      ['Email', 'Enabled', 'maybe', /Email\.Enabled must be true or false/],
      ['Email', 'SmtpHost', 'bad host!', /Email\.SmtpHost must be a host name or IP address/],
      ['Email', 'FromAddress', 'nobody', /Email\.FromAddress must be an email address/],
      ['Email', 'SmtpPort', 70000, /Email\.SmtpPort must be between 1 and 65535/],
      ['Licensing', 'HeartbeatGraceFactor', 'x', /Licensing\.HeartbeatGraceFactor must be a number/],
    ];
    for (const [group, name, value, message] of cases) {
      const response = await put([{ group, name, value }]).expect(400);
      expect(response.body).toMatchObject({ success: false, code: 100 });
      expect(response.body.message).toMatch(message);
    }

    const mixed = await put([
      { group: 'Application', name: 'LogRetentionDays', value: 45 },
      { group: 'Email', name: 'SmtpPort', value: -1 },
    ]).expect(400);
    expect(mixed.body.message).toMatch(/settings\[1\] Email\.SmtpPort/);
    expect((await valueOf('Application', 'LogRetentionDays'))?.value).toBe(30);
  });

  it("refuses unknown and read-only settings and the reference's placeholder body", async () => {
    const unknown = await put([{ group: 'Email', name: 'Colour', value: 'blue' }]).expect(400);
    expect(unknown.body.message).toMatch(/unknown setting Email\.Colour/);
    const readOnly = await put([{ group: 'Application', name: 'DatabaseVersion', value: 'x' }]).expect(400);
    expect(readOnly.body.message).toMatch(/Application\.DatabaseVersion is read-only/);
    const placeholder = await put([{ group: 'string', name: 'string', type: 'string', value: null }]).expect(400);
    expect(placeholder.body.message).toMatch(/unknown setting string\.string/);
    await ctx.http.put('/v1/settings').set(admin).send({ settings: [] }).expect(400);
  });

  it('stores typed values, accepting numbers and booleans given as text', async () => {
    const response = await put([
      { group: 'Application', name: 'LogRetentionDays', value: '60' },
      { group: 'Email', name: 'SmtpSecure', value: 'true' },
      { group: 'Licensing', name: 'UserKeyFormat', value: '{TOKEN:4}-{TOKEN:4}' },
    ]).expect(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    expect((await valueOf('Application', 'LogRetentionDays'))?.value).toBe(60);
    expect((await valueOf('Email', 'SmtpSecure'))?.value).toBe(true);
    expect((await valueOf('Licensing', 'UserKeyFormat'))?.value).toBe('{TOKEN:4}-{TOKEN:4}');
    await put([
      { group: 'Application', name: 'LogRetentionDays', value: 30 },
      { group: 'Email', name: 'SmtpSecure', value: false },
      { group: 'Licensing', name: 'UserKeyFormat', value: '{TOKEN:5}-{TOKEN:5}-{TOKEN:5}-{TOKEN:5}' },
    ]).expect(200);
  });

  it('never answers the SMTP password, only whether one is set', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    await put([{ group: 'Email', name: 'SmtpPassword', value: password }]).expect(200);
    const all = await ctx.http.get('/v1/settings').set(admin).expect(200);
    expect(JSON.stringify(all.body)).not.toContain(password);
    expect(all.body.settings.find((setting: Setting) => setting.name === 'SmtpPassword')).toMatchObject({
      type: 'Password',
      value: null,
      isSet: true,
    });
    expect(await ctx.app.get(SettingsService).get('Email.SmtpPassword')).toBe(password);
    await put([{ group: 'Email', name: 'SmtpPassword', value: '' }]).expect(200);
    expect(await valueOf('Email', 'SmtpPassword')).toMatchObject({ value: null, isSet: false });
  });

  it('takes effect without a restart', async () => {
    const reports = ctx.app.get(ReportsService);
    const content = randomBytes(4096).toString('base64');
    await expect(reports.submit({ name: 'ExceptionReport', content })).resolves.toMatchObject({
      reportId: expect.any(Number),
    });
    await put([{ group: 'Reporting', name: 'MaxReportContentBytes', value: 1024 }]).expect(200);
    try {
      expect(await ctx.app.get(SettingsService).get('Reporting.MaxReportContentBytes')).toBe(1024);
      await expect(reports.submit({ name: 'ExceptionReport', content })).rejects.toMatchObject({ status: 413 });
    } finally {
      await put([{ group: 'Reporting', name: 'MaxReportContentBytes', value: 1048576 }]).expect(200);
    }
    await expect(reports.submit({ name: 'ExceptionReport', content })).resolves.toMatchObject({
      reportId: expect.any(Number),
    });
  });

  it('is for administrators only', async () => {
    const manager = await createUser(ctx, ['LicenseManager']);
    await ctx.http.get('/v1/settings').set(bearer(manager.token)).expect(403);
    const name = `Renamed by a manager ${Date.now()}`;
    await ctx.http
      .put('/v1/settings')
      .set(bearer(manager.token))
      .send({ settings: [{ group: 'Application', name: 'ProductName', value: name }] })
      .expect(403);
    expect((await valueOf('Application', 'ProductName'))?.value).not.toBe(name);
  });
});
