import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { LIVE_TOKEN_SQL, LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { LicensingMode } from '../signing';
import { LicenseInfoDto } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';
import { StoredLicenseKey } from './license-integrity.service';
import { PreparedStatement, PreparedStatementsService } from './prepared-statements.service';

/** Who is calling, as the request and the connection say. */
export interface ClientContext {
  address: string | null;
  machineId: string | null;
  clientId: string | null;
  clientName: string | null;
}

/** The columns of a license the client API works with; `expired` is computed on the database clock. */
export interface ClientLicense extends StoredLicenseKey {
  id: number;
  licensingMode: LicensingMode;
  maxAllowedSites: number;
  revoked: boolean;
  expired: boolean;
  trace: boolean;
  expireDate: Date | null;
  supportExpireDate: Date | null;
}

/** Selected as `<prefix>…` columns so that joins can read a license next to a token. */
export const CLIENT_LICENSE_COLUMNS = (alias: string) => `
  ${alias}.id, ${alias}.license_id AS "licenseId", ${alias}.licensing_mode AS "licensingMode", coalesce(${alias}.max_allowed_sites, 1) AS "maxAllowedSites",
  ${alias}.revoked, ${alias}.trace, ${alias}.expire_date AS "expireDate", ${alias}.support_expire_date AS "supportExpireDate",
  coalesce(${alias}.expire_date <= now(), false) AS expired, ${alias}.license_key AS "licenseKey", ${alias}.hash,
  ${alias}.signature_keys_id AS "signatureKeysId", ${alias}.signing_key_id AS "signingKeyId"`;

export const LICENSE_BY_USER_KEY: PreparedStatement = {
  name: 'licensing-license-by-user-key',
  text: `SELECT ${CLIENT_LICENSE_COLUMNS('l')} FROM licenses l WHERE l.user_key = $1`,
};

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** A text member with surrounding white space removed; empty means absent. */
export const text = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

export function clientContext(
  input: { machineId?: string | null; clientId?: string | null; clientName?: string | null },
  address: string | null | undefined,
): ClientContext {
  return {
    address: address ?? null,
    machineId: text(input.machineId),
    clientId: text(input.clientId),
    clientName: text(input.clientName),
  };
}

/**
 * What the client API operations share: finding a license by its user key, the checks every
 * operation makes, counting live tokens, the license block of the answers, and traces.
 */
@Injectable()
export class ClientLicensesService {
  private readonly logger = new Logger('LicensingApi');

  constructor(
    private readonly dataSource: DataSource,
    private readonly statements: PreparedStatementsService,
    private readonly tokens: LicenseTokensService,
  ) {}

  /** 404 LicenseKeyNotFound when no license has this user key. */
  async findByUserKey(userKey: string): Promise<ClientLicense> {
    const rows = await this.statements.query<ClientLicense>(LICENSE_BY_USER_KEY, [userKey.trim()]);
    if (!rows[0]) throw LicensingErrors.keyNotFound();
    return rows[0];
  }

  requireMode(license: ClientLicense, mode: LicensingMode, operation: string): void {
    if (license.licensingMode !== mode)
      throw LicensingErrors.wrongMode(license.licenseId, license.licensingMode, operation);
  }

  /** 403 LicenseRevoked / LicenseExpired. */
  assertUsable(license: Pick<ClientLicense, 'licenseId' | 'revoked' | 'expired' | 'expireDate'>): void {
    if (license.revoked) throw LicensingErrors.revoked(license.licenseId);
    if (license.expired) throw LicensingErrors.expired(license.licenseId, license.expireDate);
  }

  async countLive(licenseId: number, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const [{ count }] = await manager.query(
      `SELECT count(*)::int AS count FROM license_tokens WHERE license_id = $1 AND ${LIVE_TOKEN_SQL}`,
      [licenseId],
    );
    return count;
  }

  /** `key` overrides the license's own key and expiry: the node-locked license of an activation, or nothing to verify. */
  licenseInfo(
    license: ClientLicense,
    key: { licenseKey: string | null; expireDate?: Date | null } | null,
  ): LicenseInfoDto {
    return {
      licenseId: license.licenseId,
      licensingMode: license.licensingMode,
      expireAt: iso(key && key.expireDate !== undefined ? key.expireDate : license.expireDate),
      supportExpireAt: iso(license.supportExpireDate),
      licenseKey: key ? key.licenseKey : license.licenseKey,
    };
  }

  /** Records an operation on a traced license; a trace never fails the operation it records. */
  async trace(
    license: Pick<ClientLicense, 'id' | 'trace'>,
    action: TraceAction,
    client: ClientContext,
    meta: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    if (!license.trace) return;
    const record = {
      licenseId: license.id,
      action,
      clientIp: client.address,
      clientId: client.clientId,
      clientName: client.clientName,
      machineId: client.machineId,
      meta: JSON.stringify(meta),
    };
    if (manager) {
      // Inside the operation's transaction: the trace commits with it, or not at all.
      await this.tokens.recordTrace(record, manager);
      return;
    }
    await this.tokens
      .recordTrace(record)
      .catch((error: unknown) =>
        this.logger.warn(
          `Could not record a trace for license row ${license.id}: ${error instanceof Error ? error.message : error}`,
        ),
      );
  }

  /** A refused operation on a traced license is traced too, with the error it got. */
  async traceRefusal(
    license: Pick<ClientLicense, 'id' | 'trace'> | null,
    action: TraceAction,
    client: ClientContext,
    error: unknown,
    meta: Record<string, unknown> = {},
  ): Promise<void> {
    if (!license?.trace || !(error instanceof ApiException)) return;
    await this.trace(license, action, client, {
      ...meta,
      result: ErrorCode[error.errorCode] ?? error.errorCode,
      code: error.errorCode,
      status: error.getStatus(),
    });
  }
}
