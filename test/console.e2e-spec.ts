import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { ADMIN, bearer, login, unique } from './support/app';
import { ensureChromium } from './support/chromium';
import {
  createCustomer,
  createLicense,
  createProduct,
  createSignatureKey,
  createTemplate,
  liftLicensingRateLimits,
  type SignatureKey,
} from './support/licensing';

/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium, installed when missing, or CHROMIUM_PATH) against the
 * service listening on a port, on the run's fresh database. The console is built first when its sources changed.
 * CONSOLE_SCREENSHOTS=docs writes the README's screenshots.
 */
const ROOT = join(__dirname, '..');
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
jest.setTimeout(120_000);

function buildConsole(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
  if (!existsSync(join(ROOT, 'dist', 'console', 'index.html'))) throw new Error('the console was not built');
}

describe('web console (Playwright, Chromium)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let http: ReturnType<typeof request>;
  let adminToken: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let key: SignatureKey;
  let productName: string;
  let templateName: string;
  let customerCompany: string;
  let issued: { id: number; licenseId: string; userKey: string } | undefined;
  const started = Date.now();

  const ctx = () => ({ app, http, adminToken, close: () => app.close() }) as never;

  async function signIn(userName: string, password: string): Promise<void> {
    await page.goto(`${base}/console/`);
    await page.getByRole('textbox', { name: 'User name' }).fill(userName);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut(): Promise<void> {
    await page.evaluate('sessionStorage.clear()');
    await page.goto(`${base}/console/login`);
  }

  async function shoot(name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(join(ROOT, SCREENSHOTS), { recursive: true });
    await page.screenshot({ path: join(ROOT, SCREENSHOTS, name), fullPage: false });
  }

  async function customerUser(customerId: number): Promise<string> {
    const userName = unique('customer');
    await http
      .post('/v1/users')
      .set(bearer(adminToken))
      .send({
        user: { userName, email: `${userName}@example.com`, roles: ['Customer'], customerId },
        password: 'customer-pass-1',
      })
      .expect(200);
    return userName;
  }

  beforeAll(async () => {
    buildConsole();
    // The webhook page's receiver is on the loopback address (what the delivery does is the webhooks spec's).
    process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS = 'true';
    app = await createApp({ logger: ['error', 'fatal'] });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    http = request(base) as never;
    adminToken = await login(http as never, ADMIN.userName, ADMIN.password);
    await liftLicensingRateLimits(ctx());
    key = await createSignatureKey(ctx());
    productName = unique('Console Product');
    const productId = await createProduct(ctx(), key.id, { name: productName });
    templateName = unique('Console Template');
    await createTemplate(ctx(), { name: templateName, productId, licensingMode: 1, expireDays: 365 });
    customerCompany = unique('Console Customer');
    await createCustomer(ctx(), { company: customerCompany });

    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: ensureChromium((message) => process.stdout.write(`\n[console] ${message}\n`)),
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 600_000); // the first run on a machine may install Chromium first

  afterAll(async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS;
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    // The specs after this one share the run's database: the webhook made here must not queue events of their writes.
    await app?.get(DataSource).query('DELETE FROM webhooks');
    await app?.close();
    console.log(`console e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('serves the console at /console, / redirects there, and a deep link opens the page', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const deep = await fetch(`${base}/console/licenses/12/show`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${base}/console/assets/missing-0000.js`)).status).toBe(404);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await (await fetch(`${base}/console/`)).text())?.[1];
    const bundle = await fetch(`${base}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-encoding')).toBe('br');
    expect(bundle.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(bundle.headers.get('cache-control')).toContain('immutable');
  });

  it('shows the API’s message for a wrong password', async () => {
    const answer = await http.post('/v1/auth/login').send({ userName: 'admin', password: 'not-the-password' });
    expect(answer.status).toBe(401);
    await signIn('admin', 'not-the-password');
    await page.getByText(answer.body.message as string).waitFor();
  });

  it('signs in and shows the dashboard with the navigation', async () => {
    await signIn(ADMIN.userName, ADMIN.password);
    const rendered = Date.now();
    await page.getByRole('table', { name: 'Licenses by mode and state' }).waitFor();
    await page.getByRole('img', { name: /Activations per day over the last 30 days/ }).waitFor();
    console.log(`dashboard first render after sign-in: ${Date.now() - rendered} ms`);
    for (const name of [
      'Dashboard',
      'Licenses',
      'Customers',
      'Products',
      'Templates',
      'Log',
      'Users',
      'API keys',
      'Webhooks',
    ])
      await page.getByRole('link', { name, exact: true }).waitFor();
    // A reload with the session kept: the dashboard's first render on its own.
    const reloaded = Date.now();
    await page.reload();
    await page.getByRole('table', { name: 'Licenses by mode and state' }).waitFor();
    console.log(`dashboard first render on reload: ${Date.now() - reloaded} ms`);
    await shoot('console-dashboard.png');
  });

  it('issues a license through the guided flow, downloads it, and the shipped verifier accepts the file', async () => {
    await page.getByRole('link', { name: 'Issue a license', exact: true }).click();
    await page.getByRole('combobox', { name: 'Product' }).click();
    await page.getByRole('option', { name: new RegExp(productName) }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('combobox', { name: 'Template' }).click();
    await page.getByRole('option', { name: new RegExp(templateName) }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('combobox', { name: 'Customer' }).click();
    await page.getByRole('option', { name: new RegExp(customerCompany) }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click(); // no order
    await page.getByLabel('Seats (activations or floating)').fill('2');
    await page.getByLabel('Licensee name').fill('Ada Lovelace');
    await shoot('console-issue-flow.png');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Issue license' }).click();

    const userKey = (await page.getByTestId('user-key').textContent())!.trim();
    expect(userKey).toMatch(/^\S{5,}/);
    const listed = await http
      .get('/v1/licenses')
      .query({ filter: `UserKey == "${userKey}"` })
      .set(bearer(adminToken))
      .expect(200);
    const license = listed.body.licenses[0];
    expect(license).toMatchObject({ maxAllowedSites: 2, licensingMode: 1, licenseeName: 'Ada Lovelace' });
    issued = { id: license.id, licenseId: license.licenseId, userKey };

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download license file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${license.licenseId}.lic`);
    const folder = mkdtempSync(join(tmpdir(), 'console-download-'));
    const file = join(folder, download.suggestedFilename());
    await download.saveAs(file);
    writeFileSync(join(folder, 'public-key.pem'), key.publicKeyPem);
    const verified = execFileSync(
      process.execPath,
      [join(ROOT, 'dist', 'verifier', 'src', 'cli.js'), file, join(folder, 'public-key.pem')],
      { encoding: 'utf8' },
    );
    expect(verified).toContain(`license: ${license.licenseId}`);
    rmSync(folder, { recursive: true, force: true });
  });

  it('finds the license in the list by a filter', async () => {
    await page.getByRole('link', { name: 'Licenses', exact: true }).click();
    await page.getByPlaceholder('Search licenses').fill(issued!.licenseId);
    // The run's database holds other specs' licenses too: the search leaves this one alone.
    await page.waitForFunction(`document.querySelectorAll('tbody tr').length === 1`);
    await page.getByRole('cell', { name: issued!.licenseId, exact: true }).waitFor();
    await shoot('console-licenses.png');
  });

  it('releases a seat taken through the client API', async () => {
    const machineId = unique('e2e-machine');
    await http
      .post('/v1/license/activate')
      .send({ userKey: issued!.userKey, machineId, clientName: 'Build agent' })
      .expect(200);
    await page.goto(`${base}/console/licenses/${issued!.id}/show`);
    const activations = page.getByRole('table', { name: 'Activations' });
    await activations.getByRole('cell', { name: machineId, exact: true }).waitFor();
    await page.getByRole('button', { name: `Deactivate machine ${machineId}` }).click();
    await activations.getByRole('cell', { name: machineId, exact: true }).waitFor({ state: 'detached' });
    const tokens = await http.get(`/v1/licenses/${issued!.id}/tokens`).set(bearer(adminToken)).expect(200);
    expect(tokens.body.licenseTokens).toHaveLength(0);
  });

  it('edits the license: only the changed member is sent, and the license is signed again', async () => {
    const before = await http
      .get('/v1/licenses')
      .query({ filter: `Id == ${issued!.id}` })
      .set(bearer(adminToken))
      .expect(200);
    await page.goto(`${base}/console/licenses/${issued!.id}/show`);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const name = page.getByLabel('Licensee name');
    await name.waitFor();
    expect(await name.inputValue()).toBe('Ada Lovelace');
    await name.fill('Grace Hopper');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Download license file' }).waitFor();
    const after = await http
      .get('/v1/licenses')
      .query({ filter: `Id == ${issued!.id}` })
      .set(bearer(adminToken))
      .expect(200);
    const [was, is] = [before.body.licenses[0], after.body.licenses[0]];
    expect(is).toMatchObject({ licenseeName: 'Grace Hopper', maxAllowedSites: was.maxAllowedSites });
    expect(is.userKey).toBe(was.userKey);
    expect(is.licenseKey).not.toBe(was.licenseKey);
  });

  it('shows a new API key once, with a copy button, and the key works', async () => {
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    const name = unique('console-key');
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('spinbutton', { name: /Permissions/ }).fill('1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Store this API key now: it is not shown again.').waitFor();
    const key = (await page.getByTestId('shown-once').textContent())!.trim();
    await page.getByRole('button', { name: 'Copy API key' }).waitFor();
    const answer = await http.get('/v1/products').set('x-api-key', key);
    expect(answer.status).toBe(200);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByRole('cell', { name, exact: true }).waitFor();
    expect(await page.getByText(key).count()).toBe(0);
  });

  it('creates a webhook, shows its secret once, sends a test event and lists its delivery', async () => {
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    const url = `http://127.0.0.1:9/hook/${unique('w')}`;
    await page.getByRole('textbox', { name: 'Receiver URL' }).fill(url);
    await page.getByRole('combobox', { name: 'Events' }).click();
    await page.getByRole('option', { name: 'license.created' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Store this signing secret now: it is not shown again.').waitFor();
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('cell', { name: url, exact: true }).click();
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByRole('table', { name: 'Deliveries' }).getByRole('cell', { name: 'webhook.test' }).first().waitFor();
    await page
      .getByRole('button', { name: /^Redeliver webhook\.test/ })
      .first()
      .waitFor();
  });

  it('shows the API’s refusal beside the field it names', async () => {
    const code = unique('DUP').toUpperCase();
    await createCustomer(ctx(), { code });
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    await page.getByRole('textbox', { name: 'Company' }).fill(unique('Second'));
    await page.getByRole('textbox', { name: 'Code' }).fill(code);
    await page.getByRole('button', { name: 'Save' }).click();
    const field = page.getByRole('textbox', { name: 'Code' });
    await page.waitForFunction(`document.querySelector('input[name="code"]')?.getAttribute('aria-invalid') === 'true'`);
    const described = await field.getAttribute('aria-describedby');
    const helper = await page.locator(`[id="${described!.split(' ')[0]}"]`).textContent();
    expect(helper).toContain(`customer.code "${code}" is already used`);
  });

  it('has no horizontal overflow on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of ['', 'licenses', `licenses/${issued!.id}/show`, 'licenses/create', 'customers', 'log']) {
        await page.goto(`${base}/console/${path}`);
        await page.getByRole('main').waitFor();
        await page.waitForLoadState('networkidle');
        // The elements that stick out are named, so that a failure says what to fix.
        const { overflow, wide } = await page.evaluate<{ overflow: number; wide: string[] }>(`({
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          wide: [...document.querySelectorAll('main *')]
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(-3)
            .map((element) => element.tagName + ' ' + element.className + ' ' + element.textContent.slice(0, 40)),
        })`);
        expect({ path, overflow, wide: overflow > 0 ? wide : [] }).toEqual({ path, overflow: 0, wide: [] });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('does not show Users or API keys to a Sales user', async () => {
    const sales = unique('sales');
    await http
      .post('/v1/users')
      .set(bearer(adminToken))
      .send({ user: { userName: sales, email: `${sales}@example.com`, roles: ['Sales'] }, password: 'sales-pass-12' })
      .expect(200);
    await signOut();
    await signIn(sales, 'sales-pass-12');
    await page.getByRole('link', { name: 'Customers', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Licenses', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Users', exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys', exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Templates', exact: true }).count()).toBe(0);
  });

  it('lets a Customer user see only its own licenses and free one activation', async () => {
    const own = await createCustomer(ctx(), { company: unique('Portal Own') });
    const other = await createCustomer(ctx(), { company: unique('Portal Other') });
    const productId = await createProduct(ctx(), key.id, { name: unique('Portal Product') });
    const mine = await createLicense(ctx(), {
      product: { id: String(productId) },
      customerId: own,
      licensingMode: 1,
      maxAllowedSites: 2,
    });
    const theirs = await createLicense(ctx(), {
      product: { id: String(productId) },
      customerId: other,
      licensingMode: 1,
    });
    const machines = [unique('laptop'), unique('desktop')];
    for (const machineId of machines)
      await http.post('/v1/license/activate').send({ userKey: mine.userKey, machineId }).expect(200);
    const userName = await customerUser(own);

    await signOut();
    await signIn(userName, 'customer-pass-1');
    await page.getByRole('article', { name: `License ${mine.licenseKeyId}` }).waitFor();
    expect(await page.getByText(theirs.licenseKeyId).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Licenses', exact: true }).count()).toBe(0);
    await page.getByText('In use: 2 of 2').waitFor();
    await shoot('console-portal.png');
    await page.getByRole('button', { name: `Deactivate ${machines[0]}` }).click();
    await page.getByText(/Machine deactivated: 1 of 2 in use/).waitFor();
    await page.getByRole('cell', { name: machines[0], exact: true }).waitFor({ state: 'detached' });
    const tokens = await http.get(`/v1/licenses/${mine.licenseId}/tokens`).set(bearer(adminToken)).expect(200);
    expect(tokens.body.licenseTokens.map((token: { machineId: string }) => token.machineId)).toEqual([machines[1]]);
  });
});
