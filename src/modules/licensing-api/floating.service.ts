import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { publicAllocationError } from './activation.service';
import { ClientLicense, ClientLicensesService, clientContext, text } from './client-licenses.service';
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
import { PreparedStatement, PreparedStatementsService } from './prepared-statements.service';

interface HeldSeat {
  id: number;
  token: string;
  expireDate: Date;
}

/** Why a heartbeat found nothing to extend, read after the fact (the hot path is one UPDATE). */
interface TokenState {
  id: number;
  kind: LicenseTokenKind;
  licenseRowId: number;
  licenseId: string;
  trace: boolean;
  tokenExpired: boolean;
  tokenExpireDate: Date | null;
  revoked: boolean;
  expired: boolean;
  expireDate: Date | null;
  maxAllowedSites: number;
  licensingMode: LicensingMode;
}

/**
 * A heartbeat in one statement: extends a live seat by $2 seconds (never past the license's expiry)
 * or records the heartbeat of an activation, if the license is usable and, when $3 is given, has
 * that user key. Wrapped in a CTE so that the driver answers plain rows (a bare UPDATE answers [rows, count]).
 */
export const HEARTBEAT: PreparedStatement = {
  name: 'licensing-heartbeat',
  text: `WITH beat AS (
   UPDATE license_tokens t
      SET last_heartbeat = now(),
          expire_date = CASE WHEN t.kind = ${LicenseTokenKind.Floating} THEN LEAST(now() + make_interval(secs => $2::float8), l.expire_date) ELSE t.expire_date END
     FROM licenses l
    WHERE t.token = $1 AND l.id = t.license_id AND ($3::varchar IS NULL OR l.user_key = $3::varchar)
      AND (t.expire_date IS NULL OR t.expire_date > now()) AND NOT l.revoked AND (l.expire_date IS NULL OR l.expire_date > now())
  RETURNING t.id, t.license_id AS "licenseRowId", l.trace, t.expire_date AS "expireDate")
   SELECT * FROM beat`,
};

/**
 * Floating licenses: seats taken per application instance (clientId), kept alive by heartbeats for
 * Licensing.HeartbeatIntervalSeconds × Licensing.HeartbeatGraceFactor, freed by release or expiry.
 */
@Injectable()
export class FloatingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: LicenseTransactionsService,
    private readonly statements: PreparedStatementsService,
    private readonly licenses: ClientLicensesService,
    private readonly integrity: LicenseIntegrityService,
    private readonly tokens: LicenseTokensService,
    private readonly settings: SettingsService,
    private readonly log: DatabaseLogService,
  ) {}

  async request(input: FloatingSeatRequest, address: string | null): Promise<FloatingSeatResponse> {
    const client = clientContext(input, address);
    const license = await this.licenses.findByUserKey(input.userKey);
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
        await manager.query('SELECT 1 FROM licenses WHERE id = $1 FOR UPDATE', [license.id]);
        const held: HeldSeat[] = await manager.query(
          // Wrapped in a CTE so that the driver answers plain rows (a bare UPDATE answers [rows, count]).
          `WITH renewed AS (
           UPDATE license_tokens t
              SET expire_date = LEAST(now() + make_interval(secs => $3::float8), l.expire_date), last_heartbeat = now(),
                  client_name = coalesce($4::varchar, t.client_name), machine_id = coalesce($5::varchar, t.machine_id), address = coalesce($6::varchar, t.address)
             FROM licenses l
            WHERE l.id = t.license_id
              AND t.id = (SELECT id FROM license_tokens WHERE license_id = $1 AND client_id = $2 AND kind = ${LicenseTokenKind.Floating}
                             AND (expire_date IS NULL OR expire_date > now()) ORDER BY id LIMIT 1)
          RETURNING t.id, t.token, t.expire_date AS "expireDate")
           SELECT * FROM renewed`,
          [license.id, client.clientId, lifetimeSeconds, client.clientName, client.machineId, client.address],
        );
        let seat: HeldSeat;
        let active: number;
        if (held[0]) {
          seat = held[0];
          active = await this.licenses.countLive(license.id, manager);
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
            .catch((error: unknown) => Promise.reject(publicAllocationError(error, license)));
          seat = { id: allocated.token.id, token: allocated.token.token, expireDate: allocated.token.expireDate! };
          active = allocated.activeTokens;
        }
        await this.licenses.trace(
          license,
          TraceAction.FloatingRequest,
          client,
          {
            tokenId: seat.id,
            reused: Boolean(held[0]),
            activeClientCount: active,
            maxClientCount: license.maxAllowedSites,
          },
          manager,
        );
        return { seat, active, reused: Boolean(held[0]) };
      });
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
      } as FloatingSeatResponse;
    } catch (error) {
      await this.licenses.traceRefusal(license, TraceAction.FloatingRequest, client, error);
      throw error;
    }
  }

  /**
   * Extends a live seat by the seat lifetime (never past the license's expiry) in one UPDATE that
   * also checks the license; only when it changes nothing is the reason looked up. Activation tokens
   * only get their lastHeartbeat recorded.
   */
  async heartbeat(input: HeartbeatRequest, address: string | null): Promise<HeartbeatResponse> {
    const client = clientContext(input, address);
    const licenseToken = input.licenseToken.trim();
    const userKey = text(input.userKey);
    const { intervalSeconds, lifetimeSeconds } = await this.seatTiming();
    const rows = await this.statements.query<{
      id: number;
      licenseRowId: number;
      trace: boolean;
      expireDate: Date | null;
    }>(HEARTBEAT, [licenseToken, lifetimeSeconds, userKey]);
    const beat = rows[0];
    if (!beat) {
      const state = await this.tokenState(licenseToken, userKey);
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
    await this.licenses.trace({ id: beat.licenseRowId, trace: beat.trace }, TraceAction.Heartbeat, client, {
      tokenId: beat.id,
      expireAt: beat.expireDate,
    });
    return {
      licenseToken,
      tokenExpireAt: beat.expireDate ? beat.expireDate.toISOString() : null,
      heartbeatIntervalSeconds: intervalSeconds,
    } as HeartbeatResponse;
  }

  /** Frees a seat; an already expired one is freed too (it no longer counted anyway). */
  async release(input: FloatingReleaseRequest, address: string | null): Promise<FloatingReleaseResponse> {
    const client = clientContext(input, address);
    const licenseToken = input.licenseToken.trim();
    const state = await this.tokenState(licenseToken, text(input.userKey));
    if (!state) throw LicensingErrors.tokenNotFound();
    const license = { id: state.licenseRowId, trace: state.trace } as ClientLicense;
    try {
      if (state.kind !== LicenseTokenKind.Floating)
        throw LicensingErrors.wrongMode(state.licenseId, state.licensingMode, 'release floating seats');
      const active = await this.dataSource.transaction(async (manager) => {
        await this.tokens.release(state.licenseRowId, state.id, manager);
        const count = await this.licenses.countLive(state.licenseRowId, manager);
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
      return { activeClientCount: active, maxClientCount: state.maxAllowedSites } as FloatingReleaseResponse;
    } catch (error) {
      await this.licenses.traceRefusal(license, TraceAction.FloatingRelease, client, error, { tokenId: state.id });
      throw error;
    }
  }

  private async seatTiming(): Promise<{ intervalSeconds: number; lifetimeSeconds: number }> {
    const intervalSeconds = await this.settings.get<number>('Licensing.HeartbeatIntervalSeconds');
    const factor = await this.settings.get<number>('Licensing.HeartbeatGraceFactor');
    return { intervalSeconds, lifetimeSeconds: intervalSeconds * factor };
  }

  /** The token and its license; null when it does not exist or belongs to another user key than the one given. */
  private async tokenState(licenseToken: string, userKey: string | null): Promise<TokenState | null> {
    const rows: TokenState[] = await this.dataSource.query(
      `SELECT t.id, t.kind, t.license_id AS "licenseRowId", l.license_id AS "licenseId", l.trace,
              coalesce(t.expire_date <= now(), false) AS "tokenExpired", t.expire_date AS "tokenExpireDate",
              l.revoked, coalesce(l.expire_date <= now(), false) AS expired, l.expire_date AS "expireDate",
              coalesce(l.max_allowed_sites, 1) AS "maxAllowedSites", l.licensing_mode AS "licensingMode"
         FROM license_tokens t JOIN licenses l ON l.id = t.license_id
        WHERE t.token = $1 AND ($2::varchar IS NULL OR l.user_key = $2::varchar)`,
      [licenseToken, userKey],
    );
    return rows[0] ?? null;
  }
}
