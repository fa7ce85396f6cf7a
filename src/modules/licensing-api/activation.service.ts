import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import {
  countRefusal,
  countedRefusal,
  licensingActivations,
  licensingDeactivations,
  licensingSeats,
} from '../../common/observability';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { ClientLicense } from './client-licenses.repository';
import { ClientContext, ClientLicensesService, clientContext, text } from './client-licenses.service';
import { ActivationToken, ClientTokensRepository } from './client-tokens.repository';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseTransactionsService } from './license-transactions.service';
import { ActivateRequest, ActivateResponse, DeactivateRequest, DeactivateResponse } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';
import { NodeLockedLicensesService } from './node-locked-licenses.service';

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
    private readonly clientTokens: ClientTokensRepository,
    private readonly nodeLocked: NodeLockedLicensesService,
    private readonly log: DatabaseLogService,
  ) {}

  async activate(input: ActivateRequest, address: string | null): Promise<Payload<ActivateResponse>> {
    const client = clientContext(input, address);
    const machineId = client.machineId!;
    const license = await this.licenses.findByUserKey(input.userKey).catch(countedRefusal(licensingActivations));
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
      licensingActivations.inc({ result: allocated.reused ? 'reactivated' : 'activated' });
      if (!allocated.reused) licensingSeats.inc({ kind: 'activation', outcome: 'granted' });
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
      };
    } catch (error) {
      countRefusal(licensingActivations, error, 'activation');
      await this.licenses.traceRefusal(license, TraceAction.Activate, client, error);
      throw error;
    }
  }

  async deactivate(input: DeactivateRequest, address: string | null): Promise<Payload<DeactivateResponse>> {
    const client = clientContext(input, address);
    const licenseToken = text(input.licenseToken);
    if (!licenseToken && !client.machineId)
      throw ApiException.badRequest(
        'Send machineId (the machine to deactivate) or licenseToken (its activation token)',
        ErrorCode.MissingParameter,
      );
    const license = await this.licenses.findByUserKey(input.userKey).catch(countedRefusal(licensingDeactivations));
    try {
      this.licenses.requireMode(license, LicensingMode.Activation, 'be deactivated');
      // A revoked or expired license may still free its machines: no usability check here.
      const outcome = await this.transactions.run(
        license.id,
        async () => undefined,
        async (manager) => {
          // The same lock allocate takes: the counts answered are those right after this deactivation.
          await this.licenses.lock(manager, license.id);
          const token = await this.findActivation(manager, license, licenseToken, client.machineId);
          await this.tokens.release(license.id, token.id, manager);
          await this.nodeLocked.deleteOrphans(manager, [token.nodeLockedLicenseId]);
          const active = await this.tokens.countLive(license.id, manager);
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
      licensingDeactivations.inc({ result: 'deactivated' });
      licensingSeats.inc({ kind: 'activation', outcome: 'released' });
      return { activeClientCount: outcome.active, maxClientCount: license.maxAllowedSites };
    } catch (error) {
      countRefusal(licensingDeactivations, error);
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
    const token = licenseToken
      ? await this.clientTokens.findActivationByToken(manager, { licenseId: license.id, licenseToken })
      : await this.clientTokens.findLiveActivationOfMachine(manager, { licenseId: license.id, machineId });
    if (!token) throw LicensingErrors.tokenNotFound();
    if (licenseToken && machineId && token.machineId && token.machineId !== machineId)
      throw LicensingErrors.tokenNotFound();
    return token;
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
