import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { LicensingMode } from '../signing';
import { StoredLicenseKey } from './license-integrity.service';
import { PreparedStatement, PreparedStatementsService } from './prepared-statements.service';

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

/** A license with, when one applies (the token columns are absent when no token was looked for), the token the validation is about and that token's node-locked license. */
export interface ValidationRow extends ClientLicense {
  tokenId?: number | null;
  token?: string | null;
  tokenKind?: LicenseTokenKind | null;
  tokenMachineId?: string | null;
  tokenExpireDate?: Date | null;
  tokenLive?: boolean | null;
  nodeLockedId?: number | null;
  nodeLockedLicenseId?: string | null;
  nodeLockedLicenseKey?: string | null;
  nodeLockedHash?: string | null;
  nodeLockedSignatureKeysId?: number | null;
  nodeLockedSigningKeyId?: string | null;
  nodeLockedExpireDate?: Date | null;
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

const TOKEN_COLUMNS = `t.id AS "tokenId", t.token, t.kind AS "tokenKind", t.machine_id AS "tokenMachineId", t.expire_date AS "tokenExpireDate",
  (t.expire_date IS NULL OR t.expire_date > now()) AS "tokenLive",
  n.id AS "nodeLockedId", n.license_id AS "nodeLockedLicenseId", n.license_key AS "nodeLockedLicenseKey", n.hash AS "nodeLockedHash",
  n.signature_keys_id AS "nodeLockedSignatureKeysId", n.signing_key_id AS "nodeLockedSigningKeyId", n.expire_date AS "nodeLockedExpireDate"`;

/** One round trip: the license by its user key, with the token given (or this machine's live activation) and its node-locked license. */
export const VALIDATE_BY_TOKEN: PreparedStatement = {
  name: 'licensing-validate-by-token',
  text: `SELECT ${CLIENT_LICENSE_COLUMNS('l')}, ${TOKEN_COLUMNS}
  FROM licenses l
  LEFT JOIN license_tokens t ON t.token = $2 AND t.license_id = l.id
  LEFT JOIN licenses n ON n.id = t.node_locked_license_id
 WHERE l.user_key = $1`,
};

const VALIDATE_BY_MACHINE: PreparedStatement = {
  name: 'licensing-validate-by-machine',
  text: `SELECT ${CLIENT_LICENSE_COLUMNS('l')}, ${TOKEN_COLUMNS}
  FROM licenses l
  LEFT JOIN LATERAL (
    SELECT * FROM license_tokens WHERE license_id = l.id AND machine_id = $2 AND kind = ${LicenseTokenKind.Activation}
       AND (expire_date IS NULL OR expire_date > now()) ORDER BY id LIMIT 1
  ) t ON l.licensing_mode = ${LicensingMode.Activation}
  LEFT JOIN licenses n ON n.id = t.node_locked_license_id
 WHERE l.user_key = $1`,
};

/** Thens instead of async methods: the validate path's reads are one promise layer each, not two. */
const firstRow = <T>(rows: T[]): T | undefined => rows[0];

/**
 * Licenses as the client API reads them, by user key. The reads outside transactions are named
 * prepared statements (PreparedStatementsService): they are the validate path's whole database cost.
 */
@Injectable()
export class ClientLicensesRepository {
  constructor(private readonly statements: PreparedStatementsService) {}

  findByUserKey(userKey: string): Promise<ClientLicense | undefined> {
    return this.statements.query<ClientLicense>(LICENSE_BY_USER_KEY, [userKey]).then(firstRow);
  }

  /** The license with the token of that text (if it is one of the license's) and the token's node-locked license. */
  findWithToken({
    userKey,
    licenseToken,
  }: {
    userKey: string;
    licenseToken: string;
  }): Promise<ValidationRow | undefined> {
    return this.statements.query<ValidationRow>(VALIDATE_BY_TOKEN, [userKey, licenseToken]).then(firstRow);
  }

  /** The license with the machine's oldest live activation (activation licenses only) and its node-locked license. */
  findWithMachineActivation({
    userKey,
    machineId,
  }: {
    userKey: string;
    machineId: string;
  }): Promise<ValidationRow | undefined> {
    return this.statements.query<ValidationRow>(VALIDATE_BY_MACHINE, [userKey, machineId]).then(firstRow);
  }

  /** The row lock LicenseTokensService.allocate takes, for the rest of `manager`'s transaction. */
  async lock(manager: EntityManager, licenseId: number): Promise<void> {
    await manager.query('SELECT 1 FROM licenses WHERE id = $1 FOR UPDATE', [licenseId]);
  }
}
