import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReportsService } from '../src/modules/reports/reports.service';
import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';

describe('Reports', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let reports: ReportsService;
  let dataSource: DataSource;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    reports = ctx.app.get(ReportsService);
    dataSource = ctx.app.get(DataSource);
  });
  afterAll(() => ctx.close());

  it('lists submitted reports with their content and, on include, their properties', async () => {
    const clientId = unique('client');
    const content = randomBytes(3000);
    const exception = await reports.submit({
      name: 'ExceptionReport',
      version: '2.1.0',
      contentType: 'application/zip',
      content: content.toString('base64'),
      properties: [
        { name: 'os', value: 'Windows 11' },
        { name: 'culture', value: 'en-US' },
      ],
      userKey: 'AAAAA-BBBBB',
      machineId: 'machine-1',
      clientId,
      clientName: 'Desktop App',
      address: '203.0.113.9',
    });
    const license = await reports.submit({
      name: 'LicenseReport',
      clientId,
      properties: [{ name: 'os', value: 'Linux' }],
    });
    expect(exception.uid).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await ctx.http
      .get('/v1/reports')
      .query({ filter: `ClientId == "${clientId}"`, include: 'properties', sort: 'id' })
      .set(admin)
      .expect(200);
    expect(listed.body).toMatchObject({ success: true, totalReportsCount: 2 });
    const [first, second] = listed.body.reports;
    expect(first).toMatchObject({
      id: exception.reportId,
      uid: exception.uid,
      name: 'ExceptionReport',
      version: '2.1.0',
      contentType: 'application/zip',
      userKey: 'AAAAA-BBBBB',
      machineId: 'machine-1',
      clientId,
      clientName: 'Desktop App',
      address: '203.0.113.9',
      properties: [
        { name: 'os', value: 'Windows 11', reportId: exception.reportId },
        { name: 'culture', value: 'en-US', reportId: exception.reportId },
      ],
    });
    expect(Buffer.from(first.content, 'base64').equals(content)).toBe(true);
    expect(new Date(first.date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(second).toMatchObject({
      id: license.reportId,
      name: 'LicenseReport',
      content: null,
      properties: [{ name: 'os', value: 'Linux' }],
    });

    const withoutInclude = await ctx.http
      .get('/v1/reports')
      .query({ filter: `ClientId == "${clientId}"` })
      .set(admin)
      .expect(200);
    expect(withoutInclude.body.reports[0].properties).toBeUndefined();

    const byProperty = await ctx.http
      .get('/v1/reports')
      .query({ filter: `ClientId == "${clientId}" and Properties.Value == "Linux"`, select: 'id,name' })
      .set(admin)
      .expect(200);
    expect(byProperty.body.reports).toEqual([{ id: license.reportId, name: 'LicenseReport' }]);

    const selectedWithInclude = await ctx.http
      .get('/v1/reports')
      .query({ filter: `Id == ${license.reportId}`, select: 'name', include: 'Properties' })
      .set(admin)
      .expect(200);
    expect(selectedWithInclude.body.reports[0]).toEqual({
      name: 'LicenseReport',
      properties: [expect.objectContaining({ name: 'os' })],
    });

    await ctx.http.get('/v1/reports').query({ include: 'machines' }).set(admin).expect(400);
    await ctx.http.get('/v1/reports').query({ filter: 'Content == "x"' }).set(admin).expect(400);
  });

  it('validates submissions: name, base64 content and Reporting.MaxReportContentBytes', async () => {
    await expect(reports.submit({ name: ' ' })).rejects.toMatchObject({ status: 400 });
    await expect(reports.submit({ name: 'ExceptionReport', content: 'not base64!' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      reports.submit({ name: 'ExceptionReport', properties: [{ name: '', value: 'x' }] }),
    ).rejects.toMatchObject({ status: 400 });
    await ctx.http
      .put('/v1/settings')
      .set(admin)
      .send({ settings: [{ group: 'Reporting', name: 'MaxReportContentBytes', value: 2048 }] })
      .expect(200);
    try {
      const tooLarge = reports.submit({ name: 'ExceptionReport', content: randomBytes(2049).toString('base64') });
      await expect(tooLarge).rejects.toMatchObject({
        status: 413,
        message: expect.stringMatching(/MaxReportContentBytes \(2048/),
      });
      await expect(
        reports.submit({ name: 'ExceptionReport', content: randomBytes(2048).toString('base64') }),
      ).resolves.toMatchObject({ reportId: expect.any(Number) });
    } finally {
      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [{ group: 'Reporting', name: 'MaxReportContentBytes', value: 1048576 }] })
        .expect(200);
    }
  });

  it('deletes a report with its properties; 404 after, 400 for a bad id', async () => {
    const { reportId } = await reports.submit({ name: 'ExceptionReport', properties: [{ name: 'a', value: '1' }] });
    const deleted = await ctx.http.delete(`/v1/reports/${reportId}`).set(admin).expect(200);
    expect(deleted.body).toMatchObject({ success: true, code: 0 });
    const [{ count }] = await dataSource.query(
      'SELECT count(*)::int AS count FROM report_properties WHERE report_id = $1',
      [reportId],
    );
    expect(count).toBe(0);
    await ctx.http.delete(`/v1/reports/${reportId}`).set(admin).expect(404);
    await ctx.http.delete('/v1/reports/abc').set(admin).expect(400);
  });

  it('lets LicenseManager and Sales read, only administrators delete', async () => {
    const { reportId } = await reports.submit({ name: 'LicenseReport' });
    const manager = await createUser(ctx, ['LicenseManager']);
    const sales = await createUser(ctx, ['Sales']);
    const customer = await createUser(ctx, ['Customer']);
    await ctx.http.get('/v1/reports').set(bearer(sales.token)).expect(200);
    await ctx.http.get('/v1/reports').set(bearer(manager.token)).expect(200);
    await ctx.http.get('/v1/reports').set(bearer(customer.token)).expect(403);
    await ctx.http.delete(`/v1/reports/${reportId}`).set(bearer(manager.token)).expect(403);
    await ctx.http.delete(`/v1/reports/${reportId}`).set(bearer(sales.token)).expect(403);
    await ctx.http.delete(`/v1/reports/${reportId}`).set(admin).expect(200);
  });

  it('purges reports older than Reporting.ReportRetentionDays', async () => {
    const old = await reports.submit({ name: 'ExceptionReport', properties: [{ name: 'k', value: 'v' }] });
    const recent = await reports.submit({ name: 'ExceptionReport' });
    await dataSource.query(`UPDATE reports SET date = now() - interval '400 days' WHERE id = $1`, [old.reportId]);
    await dataSource.query(`UPDATE reports SET date = now() - interval '300 days' WHERE id = $1`, [recent.reportId]);
    expect(await reports.purgeExpired()).toBe(1);
    const left = await ctx.http
      .get('/v1/reports')
      .query({ filter: `Id in (${old.reportId}, ${recent.reportId})` })
      .set(admin)
      .expect(200);
    expect(left.body.reports.map((report: { id: number }) => report.id)).toEqual([recent.reportId]);
  });
});
