import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { ClientContext, ClientLicense, ClientLicensesService, clientContext, text } from './client-licenses.service';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseTransactionsService } from './license-transactions.service';
import { ActivateRequest, ActivateResponse, DeactivateRequest, DeactivateResponse } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';
import { NodeLockedLicensesService } from './node-locked-licenses.service';

interface ActivationToken {
  id: number;
  token: string;
  machineId: string | null;
  nodeLockedLicenseId: number | null;
}

/**
 * Activation licenses: binding a license to a machine (an activation token plus a node-locked license
 * for that machine) and freeing the binding. Seats are taken only through LicenseTokensService.allocate,
 * which counts and inserts under the license's row lock.
 */
@Injectable()
export class ActivationService {
  constructor(
    private readonly transactions: LicenseTransactionsService,
    private readonly settings: SettingsService,
    private readonly licenses: ClientLicensesService,
    private readonly integrity: LicenseIntegrityService,
    private readonly tokens: LicenseTokensService,
    private readonly nodeLocked: NodeLockedLicensesService,
    private readonly log: DatabaseLogService,
  ) {}

  async activate(input: ActivateRequest, address: string | null): Promise<ActivateResponse> {
    const client = clientContext(input, address);
    const machineId = client.machineId!;
    const license = await this.licenses.findByUserKey(input.userKey);
    try {
      this.licenses.requireMode(license, LicensingMode.Activation, 'be activated');
      this.licenses.assertUsable(license);
      await this.integrity.assertIntact(license);
      const prepare = async () => {
        // Warms the settings allocate reads, so that it finds them cached while it holds the lock.
        await this.settings.get('Licensing.ActivationTokenFormat');
        await this.settings.get('Licensing.ActivationTokenDays');
        return this.nodeLocked.prepare(license.signatureKeysId);
      };
      const outcome = await this.transactions.run(license.id, prepare, async (manager, prepared) => {
        const allocated = await this.allocate(license, client, manager);
        const token = allocated.token;
        const nodeLocked = await this.nodeLocked.ensure(
          manager,
          license.id,
          { id: token.id, machineId, expireDate: token.expireDate, nodeLockedLicenseId: token.nodeLockedLicenseId },
          prepared,
        );
        const meta = {
          tokenId: token.id,
          reused: allocated.reused,
          nodeLockedLicenseId: nodeLocked.id,
          activeClientCount: allocated.activeTokens,
          maxClientCount: allocated.maxAllowedSites,
        };
        await this.licenses.trace(license, TraceAction.Activate, client, meta, manager);
        return { allocated, nodeLocked };
      });
      const { allocated, nodeLocked } = outcome;
      this.log.information(
        'Licensing: {Operation} of license {LicenseId} on machine {MachineId} ({ActiveClientCount} of {MaxClientCount})',
        {
          Operation: allocated.reused ? 'repeated activation' : 'activation',
          LicenseId: license.licenseId,
          MachineId: machineId,
          ClientId: client.clientId,
          ClientAddress: client.address,
          TokenId: allocated.token.id,
          ActiveClientCount: allocated.activeTokens,
          MaxClientCount: allocated.maxAllowedSites,
        },
      );
      return {
        licenseToken: allocated.token.token,
        tokenExpireAt: allocated.token.expireDate ? allocated.token.expireDate.toISOString() : null,
        activeClientCount: allocated.activeTokens,
        maxClientCount: allocated.maxAllowedSites,
        license: this.licenses.licenseInfo(license, nodeLocked),
      } as ActivateResponse;
    } catch (error) {
      await this.licenses.traceRefusal(license, TraceAction.Activate, client, error);
      throw error;
    }
  }

  async deactivate(input: DeactivateRequest, address: string | null): Promise<DeactivateResponse> {
    const client = clientContext(input, address);
    const licenseToken = text(input.licenseToken);
    if (!licenseToken && !client.machineId)
      throw ApiException.badRequest(
        'Send machineId (the machine to deactivate) or licenseToken (its activation token)',
        ErrorCode.MissingParameter,
      );
    const license = await this.licenses.findByUserKey(input.userKey);
    try {
      this.licenses.requireMode(license, LicensingMode.Activation, 'be deactivated');
      // A revoked or expired license may still free its machines: no usability check here.
      const outcome = await this.transactions.run(
        license.id,
        async () => undefined,
        async (manager) => {
          // The same lock allocate takes: the counts answered are those right after this deactivation.
          await manager.query('SELECT 1 FROM licenses WHERE id = $1 FOR UPDATE', [license.id]);
          const token = await this.findActivation(manager, license, licenseToken, client.machineId);
          await this.tokens.release(license.id, token.id, manager);
          await this.nodeLocked.deleteOrphans(manager, [token.nodeLockedLicenseId]);
          const active = await this.licenses.countLive(license.id, manager);
          await this.licenses.trace(
            license,
            TraceAction.Deactivate,
            { ...client, machineId: client.machineId ?? token.machineId },
            { tokenId: token.id, activeClientCount: active },
            manager,
          );
          return { token, active };
        },
      );
      this.log.information(
        'Licensing: deactivation of license {LicenseId} on machine {MachineId} ({ActiveClientCount} of {MaxClientCount})',
        {
          LicenseId: license.licenseId,
          MachineId: outcome.token.machineId,
          ClientAddress: client.address,
          TokenId: outcome.token.id,
          ActiveClientCount: outcome.active,
          MaxClientCount: license.maxAllowedSites,
        },
      );
      return { activeClientCount: outcome.active, maxClientCount: license.maxAllowedSites } as DeactivateResponse;
    } catch (error) {
      await this.licenses.traceRefusal(license, TraceAction.Deactivate, client, error);
      throw error;
    }
  }

  /** allocate's refusals, reworded for a client: the public license id, never the row id. */
  private async allocate(license: ClientLicense, client: ClientContext, manager: EntityManager) {
    try {
      return await this.tokens.allocate(
        {
          licenseId: license.id,
          machineId: client.machineId,
          clientId: client.clientId,
          clientName: client.clientName,
          address: client.address,
        },
        manager,
      );
    } catch (error) {
      throw publicAllocationError(error, license);
    }
  }

  /** The live activation named by its token, else the live activation of the machine. */
  private async findActivation(
    manager: EntityManager,
    license: ClientLicense,
    licenseToken: string | null,
    machineId: string | null,
  ): Promise<ActivationToken> {
    const columns = 'id, token, machine_id AS "machineId", node_locked_license_id AS "nodeLockedLicenseId"';
    const rows: ActivationToken[] = licenseToken
      ? await manager.query(`SELECT ${columns} FROM license_tokens WHERE token = $1 AND license_id = $2 AND kind = 1`, [
          licenseToken,
          license.id,
        ])
      : await manager.query(
          `SELECT ${columns} FROM license_tokens WHERE license_id = $1 AND machine_id = $2 AND kind = 1 AND (expire_date IS NULL OR expire_date > now()) ORDER BY id LIMIT 1`,
          [license.id, machineId],
        );
    if (!rows[0]) throw LicensingErrors.tokenNotFound();
    if (licenseToken && machineId && rows[0].machineId && rows[0].machineId !== machineId)
      throw LicensingErrors.tokenNotFound();
    return rows[0];
  }
}

/** Maps LicenseTokensService.allocate's errors (which name the row id) to the client API's wording and counts. */
export function publicAllocationError(error: unknown, license: ClientLicense): unknown {
  if (!(error instanceof ApiException)) return error;
  switch (error.errorCode) {
    case ErrorCode.NoFreeSeat: {
      const details = error.details as { activeTokens?: number; maxAllowedSites?: number } | undefined;
      return LicensingErrors.noFreeSeat(
        license.licenseId,
        license.licensingMode,
        details?.activeTokens ?? license.maxAllowedSites,
        details?.maxAllowedSites ?? license.maxAllowedSites,
      );
    }
    case ErrorCode.LicenseRevoked:
      return LicensingErrors.revoked(license.licenseId);
    case ErrorCode.LicenseExpired:
      return LicensingErrors.expired(license.licenseId, license.expireDate);
    case ErrorCode.WrongLicensingMode:
      return LicensingErrors.wrongMode(license.licenseId, license.licensingMode, 'hold tokens');
    case ErrorCode.NotFound:
      // The license was deleted between the lookup and the lock.
      return LicensingErrors.keyNotFound();
    default:
      return error;
  }
}
