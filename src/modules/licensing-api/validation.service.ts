import { Injectable } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { countRefusal, licensingValidations } from '../../common/observability';
import { TraceAction } from '../licenses/license-trace.entity';
import { LicensingMode } from '../signing';
import { ClientLicensesRepository, ValidationRow } from './client-licenses.repository';
import { ClientLicensesService, clientContext, text } from './client-licenses.service';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseInfoDto, ValidateRequest, ValidateResponse } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';

/**
 * Whether a license may be used on a machine now. Problems with the license itself or with the
 * token given are errors with their codes (404, 403, 409); a usable license answers 200 with
 * `valid` saying whether this caller holds what its mode requires (an activation of this machine,
 * a live seat), and the license block with the key to verify offline when it does.
 */
@Injectable()
export class ValidationService {
  constructor(
    private readonly repository: ClientLicensesRepository,
    private readonly licenses: ClientLicensesService,
    private readonly integrity: LicenseIntegrityService,
  ) {}

  async validate(input: ValidateRequest, address: string | null): Promise<Payload<ValidateResponse>> {
    const client = clientContext(input, address);
    const licenseToken = text(input.licenseToken);
    const userKey = input.userKey.trim();
    const row: ValidationRow | undefined = licenseToken
      ? await this.repository.findWithToken({ userKey, licenseToken })
      : client.machineId
        ? await this.repository.findWithMachineActivation({ userKey, machineId: client.machineId })
        : await this.repository.findByUserKey(userKey);
    if (!row) {
      const refusal = LicensingErrors.keyNotFound();
      countRefusal(licensingValidations, refusal);
      throw refusal;
    }

    let answer: Payload<ValidateResponse>;
    try {
      const judged = this.judge(row, licenseToken, client.machineId);
      answer = judged instanceof Promise ? await judged : judged;
    } catch (error) {
      countRefusal(licensingValidations, error);
      await this.licenses.traceRefusal(row, TraceAction.Validate, client, error, { tokenId: row.tokenId ?? undefined });
      throw error;
    }
    licensingValidations.inc({ result: answer.valid ? 'valid' : 'invalid' });
    // Only a traced license records its validations: the others skip the call and its await.
    if (row.trace)
      await this.licenses.trace(row, TraceAction.Validate, client, {
        valid: answer.valid,
        reason: answer.reason ?? undefined,
        tokenId: row.tokenId ?? undefined,
      });
    return answer;
  }

  /**
   * A promise only while a signature is checked for the first time (LicenseIntegrityService): every other
   * validation is judged without one, so it costs no microtask turn.
   */
  private judge(
    row: ValidationRow,
    licenseToken: string | null,
    machineId: string | null,
  ): Payload<ValidateResponse> | Promise<Payload<ValidateResponse>> {
    this.licenses.assertUsable(row);
    const checking = this.integrity.assertIntact(row);
    return checking
      ? checking.then(() => this.judgeIntact(row, licenseToken, machineId))
      : this.judgeIntact(row, licenseToken, machineId);
  }

  private judgeIntact(
    row: ValidationRow,
    licenseToken: string | null,
    machineId: string | null,
  ): Payload<ValidateResponse> | Promise<Payload<ValidateResponse>> {
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
        const checkingNodeLocked = this.integrity.assertIntact({
          licenseId: row.nodeLockedLicenseId!,
          licenseKey: row.nodeLockedLicenseKey,
          hash: row.nodeLockedHash!,
          signatureKeysId: row.nodeLockedSignatureKeysId!,
          signingKeyId: row.nodeLockedSigningKeyId!,
        });
        const answer = this.answer(
          true,
          null,
          row,
          { licenseKey: row.nodeLockedLicenseKey, expireDate: row.nodeLockedExpireDate ?? null },
          tokenFields,
        );
        return checkingNodeLocked ? checkingNodeLocked.then(() => answer) : answer;
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
  ): Payload<ValidateResponse> {
    const license: LicenseInfoDto = this.licenses.licenseInfo(
      row,
      key === undefined ? null : (key ?? { licenseKey: null }),
    );
    return { valid, reason, ...token, license };
  }
}
