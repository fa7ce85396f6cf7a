import { AuditRecorder } from '../../common/audit';
import { WebhookOutbox } from '../../common/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { TraceAction } from '../licenses/license-trace.entity';
import { LicensingMode } from '../signing';
import { ClientLicense, ClientLicensesRepository } from './client-licenses.repository';
import { LicenseInfoDto } from './licensing-api.dto';
import { LicensingErrors } from './licensing-errors';

/** Who is calling, as the request and the connection say. */
export interface ClientContext {
  address: string | null;
  machineId: string | null;
  clientId: string | null;
  clientName: string | null;
}

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

/** The client API operations the audit trail records (validations and heartbeats change nothing people decide). */
const AUDITED_ACTIONS: Partial<Record<TraceAction, string>> = {
  [TraceAction.Activate]: 'license.activated',
  [TraceAction.Deactivate]: 'license.deactivated',
  [TraceAction.FloatingRequest]: 'seat.granted',
  [TraceAction.FloatingRelease]: 'seat.released',
};

/**
 * What the client API operations share: finding a license by its user key, the checks every
 * operation makes, counting live tokens, the license block of the answers, and traces.
 */
@Injectable()
export class ClientLicensesService {
  private readonly logger = new Logger('LicensingApi');

  constructor(
    private readonly repository: ClientLicensesRepository,
    private readonly tokens: LicenseTokensService,
    private readonly audit: AuditRecorder,
    private readonly webhookEvents: WebhookOutbox,
  ) {}

  /** 404 LicenseKeyNotFound when no license has this user key. */
  async findByUserKey(userKey: string): Promise<ClientLicense> {
    const license = await this.repository.findByUserKey(userKey.trim());
    if (!license) throw LicensingErrors.keyNotFound();
    return license;
  }

  /** The license's row lock, the one LicenseTokensService.allocate takes, for the rest of `manager`'s transaction. */
  lock(manager: EntityManager, licenseId: number): Promise<void> {
    return this.repository.lock(manager, licenseId);
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
    action_: TraceAction,
    client: ClientContext,
    meta: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    // A successful operation runs in its transaction (`manager`): its audit event commits with it.
    const action = manager ? AUDITED_ACTIONS[action_] : undefined;
    if (manager && action) await this.recordAudit(manager, license.id, action, client, meta);
    if (!license.trace) return;
    const record = {
      licenseId: license.id,
      action: action_,
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
          `Could not record a trace for license row ${license.id}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }

  private async recordAudit(
    manager: EntityManager,
    licenseRowId: number,
    action: string,
    client: ClientContext,
    meta: Record<string, unknown>,
  ): Promise<void> {
    const freed = action === 'license.deactivated' || action === 'seat.released';
    const tokenId = (meta.tokenId as number | undefined) ?? null;
    await this.audit.record(manager, {
      action,
      entityType: 'license',
      entityId: licenseRowId,
      actor: { type: 'client', id: client.machineId ?? client.clientId, name: client.clientName },
      address: client.address,
      changes: {
        tokenId: freed ? { from: tokenId, to: null } : { from: null, to: tokenId },
        ...(client.machineId
          ? { machineId: freed ? { from: client.machineId, to: null } : { from: null, to: client.machineId } }
          : {}),
      },
    });
  }

  /** A refused operation on a traced license is traced too, with the error it got. */
  async traceRefusal(
    license: Pick<ClientLicense, 'id' | 'trace'> | null,
    action: TraceAction,
    client: ClientContext,
    error: unknown,
    meta: Record<string, unknown> = {},
  ): Promise<void> {
    if (license && error instanceof ApiException && error.errorCode === ErrorCode.NoFreeSeat)
      await this.recordSeatExhausted(license.id, action, client, error);
    if (!license?.trace || !(error instanceof ApiException)) return;
    await this.trace(license, action, client, {
      ...meta,
      result: ErrorCode[error.errorCode] ?? error.errorCode,
      code: error.errorCode,
      status: error.getStatus(),
    });
  }

  /**
   * seat.exhausted for the webhooks subscribed to it: the refused request wrote nothing (its transaction rolled
   * back), so the event is a write of its own. Like a trace, it never changes the answer the client gets.
   */
  private async recordSeatExhausted(
    licenseRowId: number,
    action: TraceAction,
    client: ClientContext,
    error: ApiException,
  ): Promise<void> {
    await this.webhookEvents
      .recordAlone({
        type: 'seat.exhausted',
        entityType: 'license',
        entityId: licenseRowId,
        detail: {
          seat: {
            kind: action === TraceAction.FloatingRequest ? 'floating' : 'activation',
            machineId: client.machineId,
            clientId: client.clientId,
            clientName: client.clientName,
            address: client.address,
            ...(error.details ?? {}),
          },
        },
      })
      .catch((failure: unknown) =>
        this.logger.warn(
          `Could not record seat.exhausted for license row ${licenseRowId}: ${failure instanceof Error ? failure.message : String(failure)}`,
        ),
      );
  }
}
