import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payload } from '../../common/envelope';
import { countRefusal, countedRefusal, licensingFloatingRequests, licensingSeats } from '../../common/observability';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { publicAllocationError } from './activation.service';
import { ClientLicensesService, clientContext, text } from './client-licenses.service';
import { ClientTokensRepository, HeldSeat } from './client-tokens.repository';
import { LicenseIntegrityService } from './license-integrity.service';
import { LicenseTransactionsService } from './license-transactions.service';
import {
  FloatingReleaseRequest,
  FloatingReleaseResponse,
  FloatingSeatRequest,
  FloatingSeatResponse,
  HeartbeatRequest,
  HeartbeatResponse,
} from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';

/**
 * Floating licenses: seats taken per application instance (clientId), kept alive by heartbeats for
 * Licensing.HeartbeatIntervalSeconds × Licensing.HeartbeatGraceFactor, freed by release or expiry.
 */
@Injectable()
export class FloatingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: LicenseTransactionsService,
    private readonly clientTokens: ClientTokensRepository,
    private readonly licenses: ClientLicensesService,
    private readonly integrity: LicenseIntegrityService,
    private readonly tokens: LicenseTokensService,
    private readonly settings: SettingsService,
    private readonly log: DatabaseLogService,
  ) {}

  async request(input: FloatingSeatRequest, address: string | null): Promise<Payload<FloatingSeatResponse>> {
    const client = clientContext(input, address);
    const license = await this.licenses.findByUserKey(input.userKey).catch(countedRefusal(licensingFloatingRequests));
    try {
      this.licenses.requireMode(license, LicensingMode.Floating, 'lease floating seats');
      this.licenses.assertUsable(license);
      await this.integrity.assertIntact(license);
      let timing = { intervalSeconds: 0, lifetimeSeconds: 0 };
      const prepare = async () => {
        // Also warms the settings allocate reads while it holds the lock.
        timing = await this.seatTiming();
        await this.settings.get('Licensing.FloatingTokenFormat');
      };
      const outcome = await this.transactions.run(license.id, prepare, async (manager) => {
        const { lifetimeSeconds } = timing;
        // allocate takes this lock too; taking it first makes "does this client hold a seat?" part of the same critical section.
        await this.licenses.lock(manager, license.id);
        const held = await this.clientTokens.renewSeat(manager, {
          licenseId: license.id,
          clientId: client.clientId,
          lifetimeSeconds,
          clientName: client.clientName,
          machineId: client.machineId,
          address: client.address,
        });
        let seat: HeldSeat;
        let active: number;
        if (held) {
          seat = held;
          active = await this.tokens.countLive(license.id, manager);
        } else {
          const allocated = await this.tokens
            .allocate(
              {
                licenseId: license.id,
                clientId: client.clientId,
                clientName: client.clientName,
                machineId: client.machineId,
                address: client.address,
              },
              manager,
            )
            .catch((error: unknown) => {
              throw publicAllocationError(error, license);
            });
          seat = { id: allocated.token.id, token: allocated.token.token, expireDate: allocated.token.expireDate! };
          active = allocated.activeTokens;
        }
        await this.licenses.trace(
          license,
          TraceAction.FloatingRequest,
          client,
          {
            tokenId: seat.id,
            reused: Boolean(held),
            activeClientCount: active,
            maxClientCount: license.maxAllowedSites,
          },
          manager,
        );
        return { seat, active, reused: Boolean(held) };
      });
      licensingFloatingRequests.inc({ result: outcome.reused ? 'renewed' : 'granted' });
      if (!outcome.reused) licensingSeats.inc({ kind: 'floating', outcome: 'granted' });
      this.log.information(
        'Licensing: {Operation} of license {LicenseId} for client {ClientId} ({ActiveClientCount} of {MaxClientCount})',
        {
          Operation: outcome.reused ? 'floating seat renewed' : 'floating seat taken',
          LicenseId: license.licenseId,
          ClientId: client.clientId,
          MachineId: client.machineId,
          ClientAddress: client.address,
          TokenId: outcome.seat.id,
          ActiveClientCount: outcome.active,
          MaxClientCount: license.maxAllowedSites,
        },
      );
      return {
        licenseToken: outcome.seat.token,
        tokenExpireAt: outcome.seat.expireDate.toISOString(),
        heartbeatIntervalSeconds: timing.intervalSeconds,
        activeClientCount: outcome.active,
        maxClientCount: license.maxAllowedSites,
        license: this.licenses.licenseInfo(license, null),
      };
    } catch (error) {
      countRefusal(licensingFloatingRequests, error, 'floating');
      await this.licenses.traceRefusal(license, TraceAction.FloatingRequest, client, error);
      throw error;
    }
  }

  /**
   * Extends a live seat by the seat lifetime (never past the license's expiry) in one UPDATE that
   * also checks the license; only when it changes nothing is the reason looked up. Activation tokens
   * only get their lastHeartbeat recorded.
   */
  async heartbeat(input: HeartbeatRequest, address: string | null): Promise<Payload<HeartbeatResponse>> {
    const client = clientContext(input, address);
    const licenseToken = input.licenseToken.trim();
    const userKey = text(input.userKey);
    const { intervalSeconds, lifetimeSeconds } = await this.seatTiming();
    const beat = await this.clientTokens.heartbeat({ licenseToken, lifetimeSeconds, userKey });
    if (!beat) {
      const state = await this.clientTokens.tokenState({ licenseToken, userKey });
      const error = !state
        ? LicensingErrors.tokenNotFound()
        : state.revoked
          ? LicensingErrors.revoked(state.licenseId)
          : state.expired
            ? LicensingErrors.expired(state.licenseId, state.expireDate)
            : LicensingErrors.tokenExpired(state.tokenExpireDate);
      if (state)
        await this.licenses.traceRefusal(
          { id: state.licenseRowId, trace: state.trace },
          TraceAction.Heartbeat,
          client,
          error,
          { tokenId: state.id },
        );
      throw error;
    }
    // Only a traced license records its heartbeats: the others skip the call and its await.
    if (beat.trace)
      await this.licenses.trace({ id: beat.licenseRowId, trace: beat.trace }, TraceAction.Heartbeat, client, {
        tokenId: beat.id,
        expireAt: beat.expireDate,
      });
    return {
      licenseToken,
      tokenExpireAt: beat.expireDate ? beat.expireDate.toISOString() : null,
      heartbeatIntervalSeconds: intervalSeconds,
    };
  }

  /** Frees a seat; an already expired one is freed too (it no longer counted anyway). */
  async release(input: FloatingReleaseRequest, address: string | null): Promise<Payload<FloatingReleaseResponse>> {
    const client = clientContext(input, address);
    const licenseToken = input.licenseToken.trim();
    const state = await this.clientTokens.tokenState({ licenseToken, userKey: text(input.userKey) });
    if (!state) throw LicensingErrors.tokenNotFound();
    const license = { id: state.licenseRowId, trace: state.trace };
    try {
      if (state.kind !== LicenseTokenKind.Floating)
        throw LicensingErrors.wrongMode(state.licenseId, state.licensingMode, 'release floating seats');
      const active = await this.dataSource.transaction(async (manager) => {
        await this.tokens.release(state.licenseRowId, state.id, manager);
        const count = await this.tokens.countLive(state.licenseRowId, manager);
        await this.licenses.trace(
          license,
          TraceAction.FloatingRelease,
          client,
          { tokenId: state.id, activeClientCount: count },
          manager,
        );
        return count;
      });
      this.log.information(
        'Licensing: floating seat of license {LicenseId} released ({ActiveClientCount} of {MaxClientCount})',
        {
          LicenseId: state.licenseId,
          ClientId: client.clientId,
          ClientAddress: client.address,
          TokenId: state.id,
          ActiveClientCount: active,
          MaxClientCount: state.maxAllowedSites,
        },
      );
      licensingSeats.inc({ kind: 'floating', outcome: 'released' });
      return { activeClientCount: active, maxClientCount: state.maxAllowedSites };
    } catch (error) {
      await this.licenses.traceRefusal(license, TraceAction.FloatingRelease, client, error, { tokenId: state.id });
      throw error;
    }
  }

  private async seatTiming(): Promise<{ intervalSeconds: number; lifetimeSeconds: number }> {
    // From the settings' cache without waiting when it is fresh: every heartbeat asks.
    const intervalSeconds =
      this.settings.peek<number>('Licensing.HeartbeatIntervalSeconds') ??
      (await this.settings.get<number>('Licensing.HeartbeatIntervalSeconds'));
    const factor =
      this.settings.peek<number>('Licensing.HeartbeatGraceFactor') ??
      (await this.settings.get<number>('Licensing.HeartbeatGraceFactor'));
    return { intervalSeconds, lifetimeSeconds: intervalSeconds * factor };
  }
}
