import { Injectable } from '@nestjs/common';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { TraceAction } from '../licenses/license-trace.entity';
import { LicensingMode } from '../signing';
import {
  CLIENT_LICENSE_COLUMNS,
  ClientLicense,
  ClientLicensesService,
  LICENSE_BY_USER_KEY,
  clientContext,
  text,
} from './client-licenses.service';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseInfoDto, ValidateRequest, ValidateResponse } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';
import { PreparedStatement, PreparedStatementsService } from './prepared-statements.service';

/** A license with, when one applies (the token columns are absent when no token was looked for), the token the validation is about and that token's node-locked license. */
interface ValidationRow extends ClientLicense {
  tokenId?: number | null;
  token?: string | null;
  tokenKind: LicenseTokenKind | null;
  tokenMachineId: string | null;
  tokenExpireDate?: Date | null;
  tokenLive: boolean | null;
  nodeLockedId: number | null;
  nodeLockedLicenseId: string | null;
  nodeLockedLicenseKey: string | null;
  nodeLockedHash: string | null;
  nodeLockedSignatureKeysId: number | null;
  nodeLockedSigningKeyId: string | null;
  nodeLockedExpireDate: Date | null;
}

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

/**
 * Whether a license may be used on a machine now. Problems with the license itself or with the
 * token given are errors with their codes (404, 403, 409); a usable license answers 200 with
 * `valid` saying whether this caller holds what its mode requires (an activation of this machine,
 * a live seat), and the license block with the key to verify offline when it does.
 */
@Injectable()
export class ValidationService {
  constructor(
    private readonly statements: PreparedStatementsService,
    private readonly licenses: ClientLicensesService,
    private readonly integrity: LicenseIntegrityService,
  ) {}

  async validate(input: ValidateRequest, address: string | null): Promise<ValidateResponse> {
    const client = clientContext(input, address);
    const licenseToken = text(input.licenseToken);
    const userKey = input.userKey.trim();
    const [row] = licenseToken
      ? await this.statements.query<ValidationRow>(VALIDATE_BY_TOKEN, [userKey, licenseToken])
      : client.machineId
        ? await this.statements.query<ValidationRow>(VALIDATE_BY_MACHINE, [userKey, client.machineId])
        : await this.statements.query<ValidationRow>(LICENSE_BY_USER_KEY, [userKey]);
    if (!row) throw LicensingErrors.keyNotFound();

    let answer: ValidateResponse;
    try {
      answer = await this.judge(row, licenseToken, client.machineId);
    } catch (error) {
      await this.licenses.traceRefusal(row, TraceAction.Validate, client, error, { tokenId: row.tokenId ?? undefined });
      throw error;
    }
    await this.licenses.trace(row, TraceAction.Validate, client, {
      valid: answer.valid,
      reason: answer.reason ?? undefined,
      tokenId: row.tokenId ?? undefined,
    });
    return answer;
  }

  private async judge(
    row: ValidationRow,
    licenseToken: string | null,
    machineId: string | null,
  ): Promise<ValidateResponse> {
    this.licenses.assertUsable(row);
    await this.integrity.assertIntact(row);
    if (licenseToken) {
      if (!row.tokenId) throw LicensingErrors.tokenNotFound();
      if (!row.tokenLive) throw LicensingErrors.tokenExpired(row.tokenExpireDate ?? null);
    }
    const tokenFields = {
      licenseToken: row.token ?? null,
      tokenExpireAt: row.tokenExpireDate ? row.tokenExpireDate.toISOString() : null,
    };

    switch (row.licensingMode) {
      case LicensingMode.Activation: {
        if (!row.tokenId)
          return this.answer(
            false,
            machineId
              ? 'This machine is not activated; activate it with POST /v1/license/activate'
              : 'Send the machineId (or the activation token) to validate an activation license',
            row,
            null,
            tokenFields,
          );
        if (machineId && row.tokenMachineId && row.tokenMachineId !== machineId)
          return this.answer(false, 'The activation token belongs to another machine', row, null, tokenFields);
        if (!row.nodeLockedId || !row.nodeLockedLicenseKey) {
          return this.answer(
            false,
            'The activation has no node-locked license yet; activate this machine again to receive it',
            row,
            null,
            tokenFields,
          );
        }
        await this.integrity.assertIntact({
          licenseId: row.nodeLockedLicenseId!,
          licenseKey: row.nodeLockedLicenseKey,
          hash: row.nodeLockedHash!,
          signatureKeysId: row.nodeLockedSignatureKeysId!,
          signingKeyId: row.nodeLockedSigningKeyId!,
        });
        return this.answer(
          true,
          null,
          row,
          { licenseKey: row.nodeLockedLicenseKey, expireDate: row.nodeLockedExpireDate },
          tokenFields,
        );
      }
      case LicensingMode.Floating:
        if (!row.tokenId)
          return this.answer(
            false,
            'No floating seat is held; request one with POST /v1/license/floating/request and send its licenseToken',
            row,
            null,
            tokenFields,
          );
        return this.answer(true, null, row, undefined, tokenFields);
      default:
        return this.answer(true, null, row, undefined, tokenFields);
    }
  }

  /** `key`: undefined gives the license's own key, null gives no key (nothing to verify offline). */
  private answer(
    valid: boolean,
    reason: string | null,
    row: ValidationRow,
    key: { licenseKey: string; expireDate: Date | null } | null | undefined,
    token: { licenseToken: string | null; tokenExpireAt: string | null },
  ): ValidateResponse {
    const license: LicenseInfoDto = this.licenses.licenseInfo(
      row,
      key === undefined ? null : (key ?? { licenseKey: null }),
    );
    return { valid, reason, ...token, license } as ValidateResponse;
  }
}
