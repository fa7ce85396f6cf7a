import { AuditRecorder } from '../../common/audit';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { WebhookOutbox } from '../../common/webhooks';
import { DataSource, EntityManager } from 'typeorm';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { generateKey } from '../../common/key-format';
import { QueryOptions, listPage } from '../../common/query';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import { LicenseTokenEntity, LicenseTokenKind } from './license-token.entity';
import { LicenseTokensRepository } from './license-tokens.repository';
import { GetLicenseTokensResponse, InsertLicenseTokenResponse, LicenseTokenDto } from './license-tokens.dto';
import { LicenseTracesRepository, TraceRecord } from './license-traces.repository';
import { LICENSE_TOKEN_QUERY } from './licenses.query';

export type { TraceRecord } from './license-traces.repository';

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

/** The token an allocation made or found. */
export type AllocatedTokenRecord = Pick<
  LicenseTokenEntity,
  'id' | 'token' | 'machineId' | 'expireDate' | 'nodeLockedLicenseId'
>;

export interface AllocatedToken {
  token: AllocatedTokenRecord;
  /** True when an activation of the same machine already held a token, which is answered again. */
  reused: boolean;
  /** Live tokens of the license after the allocation, and its limit. */
  activeTokens: number;
  maxAllowedSites: number;
}

type TokenPolicy = Record<LicenseTokenKind, { format: string; lifetimeSeconds: number }>;

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

const record = (token: LicenseTokenEntity): AllocatedTokenRecord => ({
  id: token.id,
  token: token.token,
  machineId: token.machineId,
  expireDate: token.expireDate,
  nodeLockedLicenseId: token.nodeLockedLicenseId,
});

/**
 * Activation tokens and floating seats. `allocate` is the one way a token is made, by the Management
 * API and by the client licensing API alike: it holds the license row lock while it counts the live
 * tokens and inserts, so no license ever gets more live tokens than maxAllowedSites, however many
 * requests and server instances race for the last seat.
 */
@Injectable()
export class LicenseTokensService {
  private readonly logger = new Logger('LicenseTokens');

  constructor(
    private readonly tokens: LicenseTokensRepository,
    private readonly traces: LicenseTracesRepository,
    private readonly settings: SettingsService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly webhookEvents: WebhookOutbox,
  ) {}

  async list(options: QueryOptions, licenseId?: number): Promise<Payload<GetLicenseTokensResponse>> {
    // Tokens have nothing to include.
    const {
      items: licenseTokens,
      total,
      nextCursor,
    } = await listPage(
      LICENSE_TOKEN_QUERY,
      { select: options.select },
      { read: () => this.tokens.page(options, { licenseId }), toDtos: (rows) => rows.map(toLicenseTokenDto) },
    );
    return { licenseTokens, licenseTokensCount: licenseTokens.length, totalLicenseTokensCount: total, nextCursor };
  }

  /** POST /v1/licenses/{id}/tokens: pre-allocates an activation or a seat for a client. */
  async insert(licenseId: number, input: LicenseTokenDto): Promise<Payload<InsertLicenseTokenResponse>> {
    let expireDate: Date | null = null;
    if (input.expireDate) {
      expireDate = new Date(input.expireDate);
      if (expireDate.getTime() <= Date.now())
        throw ApiException.badRequest('licenseToken.expireDate must be in the future');
    }
    if (input.nodeLockedLicenseId && !(await this.tokens.licenseExists(input.nodeLockedLicenseId)))
      throw ApiException.badRequest(
        `licenseToken.nodeLockedLicenseId: license ${input.nodeLockedLicenseId} does not exist`,
        ErrorCode.InvalidReference,
      );
    const request = {
      licenseId,
      machineId: input.machineId,
      clientId: input.clientId,
      clientName: input.clientName,
      address: input.address,
      hash: input.hash,
      expireDate,
      nodeLockedLicenseId: input.nodeLockedLicenseId,
    };
    const policy = await this.tokenPolicy();
    const { token } = await this.dataSource
      .transaction(async (manager) => {
        const allocated = await this.allocateLocked(request, policy, manager);
        if (!allocated.reused)
          await this.audit.record(manager, {
            action: 'licenseToken.created',
            entityType: 'licenseToken',
            entityId: allocated.token.id,
            changes: {
              licenseId: { from: null, to: licenseId },
              machineId: { from: null, to: input.machineId ?? null },
            },
          });
        return allocated;
      })
      .catch(async (error: unknown) => {
        if (error instanceof ApiException && error.errorCode === ErrorCode.NoFreeSeat)
          await this.recordSeatExhausted(licenseId, input, error);
        throw error;
      });
    return { licenseId, licenseTokenId: token.id, token: token.token };
  }

  /**
   * seat.exhausted for a pre-allocation refused because the license is full (the client API records its own): a
   * write of its own, since the refused transaction rolled back. It never changes the answer.
   */
  private async recordSeatExhausted(licenseId: number, input: LicenseTokenDto, error: ApiException): Promise<void> {
    await this.webhookEvents
      .recordAlone({
        type: 'seat.exhausted',
        entityType: 'license',
        entityId: licenseId,
        detail: {
          seat: {
            machineId: input.machineId ?? null,
            clientId: input.clientId ?? null,
            clientName: input.clientName ?? null,
            activeClientCount: error.details?.activeTokens,
            maxClientCount: error.details?.maxAllowedSites,
          },
        },
      })
      .catch((failure: unknown) =>
        this.logger.warn(
          `Could not record seat.exhausted for license row ${licenseId}: ${failure instanceof Error ? failure.message : String(failure)}`,
        ),
      );
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
      return this.dataSource.transaction((transaction) => this.allocateLocked(request, policy, transaction));
    return this.allocateLocked(request, policy, manager);
  }

  private async allocateLocked(
    request: TokenRequest,
    policy: TokenPolicy,
    manager: EntityManager,
  ): Promise<AllocatedToken> {
    const license = await this.tokens.lockLicense(manager, request.licenseId);
    if (!license) throw ApiException.notFound(`License ${request.licenseId} does not exist`);
    if (license.licensingMode === LicensingMode.File) {
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
      license.licensingMode === LicensingMode.Floating ? LicenseTokenKind.Floating : LicenseTokenKind.Activation;
    const maxAllowedSites = license.maxAllowedSites ?? 1;

    const live = await this.tokens.countLive(license.id, manager);
    if (kind === LicenseTokenKind.Activation && request.machineId) {
      const existing = await this.tokens.findLiveForMachine(
        { licenseId: license.id, machineId: request.machineId },
        manager,
      );
      if (existing) return { token: record(existing), reused: true, activeTokens: live, maxAllowedSites };
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

  /** Seats in use across all licenses (database clock), by kind. */
  async countAllLive(): Promise<{ activation: number; floating: number }> {
    const counts = { activation: 0, floating: 0 };
    for (const { kind, count } of await this.tokens.countAllLiveByKind()) {
      if (kind === LicenseTokenKind.Activation) counts.activation = count;
      else if (kind === LicenseTokenKind.Floating) counts.floating = count;
    }
    return counts;
  }

  /** Live tokens of a license (database clock). */
  countLive(licenseId: number, manager?: EntityManager): Promise<number> {
    return this.tokens.countLive(licenseId, manager);
  }

  /** DELETE /v1/licenses/{id}/tokens/{tokenId}: an administrator frees a token; recorded in the trail. */
  async delete(licenseId: number, tokenId: number): Promise<void> {
    const record = { action: 'licenseToken.deleted', entityType: 'licenseToken', entityId: tokenId };
    const deleted = await this.audit.recordIf(record, (manager) => this.tokens.delete({ licenseId, tokenId }, manager));
    if (!deleted) throw ApiException.notFound(`License ${licenseId} has no token ${tokenId}`, ErrorCode.TokenNotFound);
  }

  /** Frees a token (deactivation, seat release, or an administrator's delete); 404 unless it belongs to the license. */
  async release(licenseId: number, tokenId: number, manager?: EntityManager): Promise<void> {
    if (!(await this.tokens.delete({ licenseId, tokenId }, manager)))
      throw ApiException.notFound(`License ${licenseId} has no token ${tokenId}`, ErrorCode.TokenNotFound);
  }

  /**
   * Records what a client did with a license, if the license has tracing on; answers the trace id,
   * or null when the license does not trace (or does not exist).
   */
  recordTrace(trace: TraceRecord, manager?: EntityManager): Promise<number | null> {
    return this.traces.insertIfTraced(trace, manager);
  }

  private async insertToken(
    manager: EntityManager,
    kind: LicenseTokenKind,
    request: TokenRequest,
    { format, lifetimeSeconds }: TokenPolicy[LicenseTokenKind],
  ): Promise<AllocatedTokenRecord> {
    for (let attempt = 0; attempt < MAX_TOKEN_ATTEMPTS; attempt++) {
      const id = await this.tokens.insertUnlessTaken(manager, {
        token: generateKey(format),
        kind,
        licenseId: request.licenseId,
        address: request.address ?? null,
        clientId: request.clientId ?? null,
        clientName: request.clientName ?? null,
        machineId: request.machineId ?? null,
        hash: request.hash ?? null,
        nodeLockedLicenseId: request.nodeLockedLicenseId ?? null,
        expireDate: request.expireDate ?? null,
        lifetimeSeconds,
      });
      if (id !== undefined) return record(await this.tokens.findById(id, manager));
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
