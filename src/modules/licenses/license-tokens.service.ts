import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { generateKey } from '../../common/key-format';
import { QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { LicenseTokenEntity, LicenseTokenKind } from './license-token.entity';
import { TraceAction } from './license-trace.entity';
import { GetLicenseTokensResponse, InsertLicenseTokenResponse, LicenseTokenDto } from './license-tokens.dto';
import { LICENSE_TOKEN_QUERY } from './licenses.query';
import { assertRowExists } from '../../database/existing-rows';
import { LicenseEntity } from './license.entity';

const MAX_TOKEN_ATTEMPTS = 8;

/** What a caller knows about the client a token is for. */
export interface TokenRequest {
  /** Row id of the license. */
  licenseId: number;
  machineId?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  address?: string | null;
  hash?: string | null;
  /** Overrides the expiry the settings give; never later than the license's own expiry. */
  expireDate?: Date | null;
  nodeLockedLicenseId?: number | null;
}

export interface AllocatedToken {
  token: LicenseTokenEntity;
  /** True when an activation of the same machine already held a token, which is answered again. */
  reused: boolean;
  /** Live tokens of the license after the allocation, and its limit. */
  activeTokens: number;
  maxAllowedSites: number;
}

export interface TraceRecord {
  licenseId: number;
  action: TraceAction;
  clientIp?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  machineId?: string | null;
  geoLocation?: string | null;
  meta?: string | null;
}

interface LockedLicense {
  id: number;
  licensing_mode: LicensingMode;
  max_allowed_sites: number | null;
  revoked: boolean;
  expired: boolean;
}

/** A token is live while it has no expiry or its expiry is in the future (database clock). */
type TokenPolicy = Record<LicenseTokenKind, { format: string; lifetimeSeconds: number }>;

export const LIVE_TOKEN_SQL = '(expire_date IS NULL OR expire_date > now())';

export function toLicenseTokenDto(token: LicenseTokenEntity): LicenseTokenDto {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: token.id,
    token: token.token,
    address: token.address,
    clientId: token.clientId,
    clientName: token.clientName,
    machineId: token.machineId,
    issueDate: iso(token.issueDate),
    expireDate: iso(token.expireDate),
    lastHeartbeat: iso(token.lastHeartbeat),
    hash: token.hash,
    licenseId: token.licenseId,
    license: null,
    nodeLockedLicenseId: token.nodeLockedLicenseId,
    nodeLockedLicense: null,
  };
}

/**
 * Activation tokens and floating seats. `allocate` is the one way a token is made, by the Management
 * API and by the client licensing API alike: it holds the license row lock while it counts the live
 * tokens and inserts, so no license ever gets more live tokens than maxAllowedSites, however many
 * requests and server instances race for the last seat.
 */
@Injectable()
export class LicenseTokensService {
  constructor(
    @InjectRepository(LicenseTokenEntity) private readonly tokens: Repository<LicenseTokenEntity>,
    private readonly settings: SettingsService,
  ) {}

  async list(options: QueryOptions, licenseId?: number): Promise<GetLicenseTokensResponse> {
    const select = parseSelect(LICENSE_TOKEN_QUERY, options.select);
    if (licenseId !== undefined) await assertRowExists(this.tokens.manager, LicenseEntity, licenseId, 'License');
    const qb = this.tokens.createQueryBuilder('token');
    if (licenseId !== undefined) qb.where('token.licenseId = :licenseId', { licenseId });
    const { items, total } = await findPage(qb, 'token', LICENSE_TOKEN_QUERY, options);
    const licenseTokens = items.map((token) => pickFields(toLicenseTokenDto(token), select));
    return {
      licenseTokens,
      licenseTokensCount: licenseTokens.length,
      totalLicenseTokensCount: total,
    } as GetLicenseTokensResponse;
  }

  /** POST /v1/licenses/{id}/tokens: pre-allocates an activation or a seat for a client. */
  async insert(licenseId: number, input: LicenseTokenDto): Promise<InsertLicenseTokenResponse> {
    let expireDate: Date | null = null;
    if (input.expireDate) {
      expireDate = new Date(input.expireDate);
      if (expireDate.getTime() <= Date.now())
        throw ApiException.badRequest('licenseToken.expireDate must be in the future');
    }
    if (input.nodeLockedLicenseId) {
      const [row] = await this.tokens.query('SELECT 1 FROM licenses WHERE id = $1', [input.nodeLockedLicenseId]);
      if (!row)
        throw ApiException.badRequest(
          `licenseToken.nodeLockedLicenseId: license ${input.nodeLockedLicenseId} does not exist`,
          ErrorCode.InvalidReference,
        );
    }
    const { token } = await this.allocate({
      licenseId,
      machineId: input.machineId,
      clientId: input.clientId,
      clientName: input.clientName,
      address: input.address,
      hash: input.hash,
      expireDate,
      nodeLockedLicenseId: input.nodeLockedLicenseId,
    });
    return { licenseId, licenseTokenId: token.id, token: token.token } as InsertLicenseTokenResponse;
  }

  /**
   * Makes a token for an activation (activation licenses) or a seat (floating licenses) inside one
   * transaction that locks the license row (SELECT … FOR UPDATE), counts its live tokens and inserts.
   * An activation for a machine that already holds a live token answers that token instead.
   * Pass `manager` to run inside the caller's transaction.
   * Errors: 404 unknown license, 400 WrongLicensingMode for file licenses, 403 LicenseRevoked /
   * LicenseExpired, 409 NoFreeSeat with `maxAllowedSites` and `activeTokens` when it is full.
   */
  async allocate(request: TokenRequest, manager?: EntityManager): Promise<AllocatedToken> {
    // Read before the row lock: a settings cache refresh needs a pool connection of its own, and
    // waiting for one while holding the lock can starve the pool under a burst.
    const policy = await this.tokenPolicy();
    if (!manager)
      return this.tokens.manager.transaction((transaction) => this.allocateLocked(request, policy, transaction));
    return this.allocateLocked(request, policy, manager);
  }

  private async allocateLocked(
    request: TokenRequest,
    policy: TokenPolicy,
    manager: EntityManager,
  ): Promise<AllocatedToken> {
    const [license]: LockedLicense[] = await manager.query(
      `SELECT id, licensing_mode, max_allowed_sites, revoked, coalesce(expire_date <= now(), false) AS expired FROM licenses WHERE id = $1 FOR UPDATE`,
      [request.licenseId],
    );
    if (!license) throw ApiException.notFound(`License ${request.licenseId} does not exist`);
    if (license.licensing_mode === LicensingMode.File) {
      throw ApiException.badRequest(
        `License ${license.id} is a file license; only activation and floating licenses have tokens`,
        ErrorCode.WrongLicensingMode,
      );
    }
    if (license.revoked)
      throw new ApiException(ErrorCode.LicenseRevoked, `License ${license.id} is revoked`, HttpStatus.FORBIDDEN);
    if (license.expired)
      throw new ApiException(ErrorCode.LicenseExpired, `License ${license.id} has expired`, HttpStatus.FORBIDDEN);
    const kind =
      license.licensing_mode === LicensingMode.Floating ? LicenseTokenKind.Floating : LicenseTokenKind.Activation;
    const maxAllowedSites = license.max_allowed_sites ?? 1;

    const [{ count: live }] = await manager.query(
      `SELECT count(*)::int AS count FROM license_tokens WHERE license_id = $1 AND ${LIVE_TOKEN_SQL}`,
      [license.id],
    );
    if (kind === LicenseTokenKind.Activation && request.machineId) {
      const existing = await manager
        .getRepository(LicenseTokenEntity)
        .createQueryBuilder('token')
        .where(
          `token.licenseId = :licenseId AND token.machineId = :machineId AND (token.expireDate IS NULL OR token.expireDate > now())`,
          { licenseId: license.id, machineId: request.machineId },
        )
        .orderBy('token.id', 'ASC')
        .getOne();
      if (existing) return { token: existing, reused: true, activeTokens: live, maxAllowedSites };
    }
    if (live >= maxAllowedSites) {
      const what = kind === LicenseTokenKind.Floating ? 'floating seats' : 'activations';
      throw ApiException.conflict(
        `License ${license.id} has no free seat: ${live} of ${maxAllowedSites} ${what} are in use`,
        ErrorCode.NoFreeSeat,
        {
          maxAllowedSites,
          activeTokens: live,
        },
      );
    }

    const token = await this.insertToken(manager, kind, request, policy[kind]);
    return { token, reused: false, activeTokens: live + 1, maxAllowedSites };
  }

  /** Frees a token (deactivation, seat release, or an administrator's delete); 404 unless it belongs to the license. */
  async release(licenseId: number, tokenId: number, manager: EntityManager = this.tokens.manager): Promise<void> {
    const result = await manager.getRepository(LicenseTokenEntity).delete({ id: tokenId, licenseId });
    if (!result.affected)
      throw ApiException.notFound(`License ${licenseId} has no token ${tokenId}`, ErrorCode.TokenNotFound);
  }

  /**
   * Records what a client did with a license, if the license has tracing on; answers the trace id,
   * or null when the license does not trace (or does not exist).
   */
  async recordTrace(record: TraceRecord, manager: EntityManager = this.tokens.manager): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `INSERT INTO license_traces (license_id, action, client_ip, client_id, client_name, machine_id, geo_location, meta, created_date)
       SELECT id, $2::smallint, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::varchar, $8::text, now() FROM licenses WHERE id = $1::int AND trace
       RETURNING id`,
      [
        record.licenseId,
        record.action,
        record.clientIp ?? null,
        record.clientId ?? null,
        record.clientName ?? null,
        record.machineId ?? null,
        record.geoLocation ?? null,
        record.meta ?? null,
      ],
    );
    return rows[0]?.id ?? null;
  }

  private async insertToken(
    manager: EntityManager,
    kind: LicenseTokenKind,
    request: TokenRequest,
    { format, lifetimeSeconds }: TokenPolicy[LicenseTokenKind],
  ): Promise<LicenseTokenEntity> {
    for (let attempt = 0; attempt < MAX_TOKEN_ATTEMPTS; attempt++) {
      // The expiry is computed on the database clock, the one every instance shares, and capped at the license's expiry.
      const rows: Array<{ id: number }> = await manager.query(
        `INSERT INTO license_tokens (token, kind, address, client_id, client_name, machine_id, hash, license_id, node_locked_license_id, issue_date, last_heartbeat, expire_date)
         SELECT $1::varchar, $2::smallint, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::varchar, l.id, $8::int, now(), ${kind === LicenseTokenKind.Floating ? 'now()' : 'NULL::timestamptz'},
                CASE
                  WHEN coalesce($9::timestamptz, CASE WHEN $10::float8 > 0 THEN now() + make_interval(secs => $10::float8) END) IS NULL THEN l.expire_date
                  ELSE LEAST(coalesce($9::timestamptz, now() + make_interval(secs => $10::float8)), l.expire_date)
                END
           FROM licenses l WHERE l.id = $11::int
         ON CONFLICT (token) DO NOTHING
         RETURNING id`,
        [
          generateKey(format),
          kind,
          request.address ?? null,
          request.clientId ?? null,
          request.clientName ?? null,
          request.machineId ?? null,
          request.hash ?? null,
          request.nodeLockedLicenseId ?? null,
          request.expireDate ?? null,
          lifetimeSeconds,
          request.licenseId,
        ],
      );
      if (rows.length > 0) return manager.getRepository(LicenseTokenEntity).findOneByOrFail({ id: rows[0].id });
    }
    throw new Error(`Could not generate a free token in ${MAX_TOKEN_ATTEMPTS} attempts; the token format is too small`);
  }

  /** Floating seats live for a heartbeat interval times the grace factor; activations for ActivationTokenDays (0 = no limit). */
  private async tokenPolicy(): Promise<TokenPolicy> {
    const [floatingFormat, activationFormat, interval, factor, activationDays] = await Promise.all([
      this.settings.get<string>('Licensing.FloatingTokenFormat'),
      this.settings.get<string>('Licensing.ActivationTokenFormat'),
      this.settings.get<number>('Licensing.HeartbeatIntervalSeconds'),
      this.settings.get<number>('Licensing.HeartbeatGraceFactor'),
      this.settings.get<number>('Licensing.ActivationTokenDays'),
    ]);
    return {
      [LicenseTokenKind.Floating]: { format: floatingFormat, lifetimeSeconds: interval * factor },
      [LicenseTokenKind.Activation]: { format: activationFormat, lifetimeSeconds: activationDays * 86400 },
    };
  }
}
