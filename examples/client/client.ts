/**
 * A shipped application's side of the client Licensing API, end to end: it finds out what kind of
 * license the user key is, activates this machine (activation licenses) or takes a floating seat
 * (floating licenses), verifies the license it receives offline with the product's public key (the
 * shipped verifier, nothing but node:crypto), sends heartbeats while it "runs", reports, and frees
 * what it took. Every call goes through the SDK generated from openapi.json (`npm run sdk`).
 *
 *   npx ts-node examples/client/client.ts --server http://localhost:3000 --user-key XXXXX-XXXXX-XXXXX-XXXXX --public-key key.pem
 *
 * Options: --machine-id <id> (default: derived from this machine), --client-id <id> (default: a new
 * one per run), --heartbeats <n> (default 3), --heartbeat-seconds <s> (default: the server's interval,
 * at most 5 for the demo), --keep (leave the activation or seat in place), --report (send a LicenseReport).
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- a global declaration file, not a module to import
/// <reference path="./fetch-types.d.ts" />
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, platform } from 'node:os';
import { parseArgs } from 'node:util';
import {
  activateLicense,
  deactivateLicense,
  releaseFloatingLicense,
  requestFloatingLicense,
  sendHeartbeat,
  submitClientReport,
  validateLicense,
} from '../../sdk/src';
import type { LicensingLicenseInfo } from '../../sdk/src';
import { createClient } from '../../sdk/src/client';
import { verifyLicense } from '../../verifier/src';

const LICENSING_MODES = ['file', 'activation', 'floating'] as const;

/** A hardware key that stays the same across restarts of this machine: its name, platform, CPU and network cards. */
function defaultMachineId(): string {
  const macs = Object.values(networkInterfaces())
    .flat()
    .filter((nic) => nic && !nic.internal && nic.mac !== '00:00:00:00:00:00')
    .map((nic) => nic!.mac)
    .sort();
  const fingerprint = [hostname(), platform(), arch(), cpus()[0]?.model ?? '', ...new Set(macs)].join('|');
  return createHash('sha256').update(fingerprint).digest('hex').slice(0, 32);
}

/** The SDK answers `{ data, error }`; a refusal becomes an exception carrying the server's code and message. */
class LicensingError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(`${message} (HTTP ${status}, code ${code})`);
  }
}

async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (data !== undefined && response.ok) return data;
  const body = (error ?? {}) as { code?: number; message?: string };
  throw new LicensingError(response.status, body.code ?? 0, body.message ?? response.statusText);
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** Verifies a license key offline, as the application would at every start, and prints what it grants. */
function verifyOffline(license: LicensingLicenseInfo, publicKeyPem: string, machineId?: string): void {
  if (!license.licenseKey) throw new Error('The server answered no license key to verify');
  const result = verifyLicense(license.licenseKey, publicKeyPem, machineId ? { machineId } : {});
  if (!result.valid) throw new Error(`Offline verification failed: ${result.reason}`);
  const document = result.license!;
  const restriction = document.restrictions?.find((item) => item.name === 'Hardware');
  console.log(
    `  verified offline (${result.format}, ${result.algorithm}, key ${result.keyId}): license ${document.licenseId}`,
  );
  console.log(
    `    product ${document.product?.name ?? '-'} ${document.product?.version ?? ''}, licensee ${document.licensee?.name ?? document.licensee?.company ?? '-'}`,
  );
  console.log(
    `    expires ${document.expireDate ?? 'never'}, features ${(document.features ?? []).map((feature) => feature.name).join(', ') || 'none'}`,
  );
  if (restriction) console.log(`    bound to machine ${restriction.properties?.machineId}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      'user-key': { type: 'string' },
      'public-key': { type: 'string' },
      'machine-id': { type: 'string' },
      'client-id': { type: 'string' },
      heartbeats: { type: 'string', default: '3' },
      'heartbeat-seconds': { type: 'string' },
      keep: { type: 'boolean', default: false },
      report: { type: 'boolean', default: false },
    },
  });
  if (!values.server || !values['user-key'] || !values['public-key']) {
    console.error(
      'Usage: npx ts-node examples/client/client.ts --server <url> --user-key <key> --public-key <pem file> [--machine-id <id>] [--client-id <id>] [--heartbeats <n>] [--keep] [--report]',
    );
    process.exit(2);
  }
  const client = createClient({ baseUrl: values.server.replace(/\/+$/, '') });
  const publicKeyPem = readFileSync(values['public-key'], 'utf8');
  const userKey = values['user-key'];
  const machineId = values['machine-id'] ?? defaultMachineId();
  const clientId = values['client-id'] ?? randomUUID();
  const identity = { userKey, machineId, clientId, clientName: hostname() };
  console.log(`machine ${machineId}, client ${clientId}`);

  // What kind of license is this? validate answers its mode, even before anything is held.
  const probe = await unwrap(validateLicense({ client, body: identity }));
  const mode = probe.license.licensingMode;
  console.log(`license ${probe.license.licenseId}: ${LICENSING_MODES[mode] ?? mode} license`);

  if (mode === 1) {
    const activation = await unwrap(activateLicense({ client, body: identity }));
    console.log(
      `activated: token ${activation.licenseToken}, ${activation.activeClientCount} of ${activation.maxClientCount} activations in use`,
    );
    verifyOffline(activation.license, publicKeyPem, machineId);
    const check = await unwrap(
      validateLicense({ client, body: { ...identity, licenseToken: activation.licenseToken } }),
    );
    console.log(`  validated online: ${check.valid ? 'valid' : `not valid: ${check.reason}`}`);
    if (values.report) await report(client, identity, activation.license, 'activation');
    if (!values.keep) {
      const freed = await unwrap(
        deactivateLicense({ client, body: { ...identity, licenseToken: activation.licenseToken } }),
      );
      console.log(`deactivated: ${freed.activeClientCount} of ${freed.maxClientCount} activations in use`);
    }
  } else if (mode === 2) {
    const seat = await unwrap(requestFloatingLicense({ client, body: identity }));
    console.log(
      `seat taken: token ${seat.licenseToken} until ${seat.tokenExpireAt}, ${seat.activeClientCount} of ${seat.maxClientCount} seats in use`,
    );
    verifyOffline(seat.license, publicKeyPem);
    const every = Number(values['heartbeat-seconds'] ?? Math.min(seat.heartbeatIntervalSeconds, 5));
    for (let beat = 1; beat <= Number(values.heartbeats); beat++) {
      await sleep(every);
      const answer = await unwrap(
        sendHeartbeat({ client, body: { licenseToken: seat.licenseToken, userKey, clientId } }),
      );
      console.log(`  heartbeat ${beat}: seat held until ${answer.tokenExpireAt}`);
    }
    if (values.report) await report(client, identity, seat.license, 'floating');
    if (!values.keep) {
      const freed = await unwrap(
        releaseFloatingLicense({ client, body: { licenseToken: seat.licenseToken, userKey, clientId } }),
      );
      console.log(`seat released: ${freed.activeClientCount} of ${freed.maxClientCount} seats in use`);
    }
  } else {
    // A file license is the license key itself: nothing to take or free.
    verifyOffline(probe.license, publicKeyPem, machineId);
    if (values.report) await report(client, identity, probe.license, 'file');
  }
}

async function report(
  client: ReturnType<typeof createClient>,
  identity: { userKey: string; machineId: string; clientId: string; clientName: string },
  license: LicensingLicenseInfo,
  kind: string,
): Promise<void> {
  const content = Buffer.from(
    JSON.stringify({
      licenseId: license.licenseId,
      kind,
      node: process.version,
      platform: platform(),
      at: new Date().toISOString(),
    }),
  ).toString('base64');
  const stored = await unwrap(
    submitClientReport({
      client,
      body: {
        ...identity,
        name: 'LicenseReport',
        version: '1.0.0',
        contentType: 'application/json',
        content,
        properties: [{ name: 'platform', value: `${platform()}-${arch()}` }],
      },
    }),
  );
  console.log(`  report ${stored.reportId} sent`);
}

main().catch((error: unknown) => {
  console.error(error instanceof LicensingError || error instanceof Error ? error.message : error);
  process.exit(1);
});
