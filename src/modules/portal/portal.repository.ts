import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PortalCustomerDto, PortalLicenseTokenDto } from './portal.dto';

export interface PortalLicenseRow {
  id: number;
  licenseId: string;
  userKey: string;
  licensingMode: number;
  maxAllowedSites: number | null;
}

/** Advisory lock namespace of the portal's deactivation limit (one lock per license id). */
const DEACTIVATION_LOCK = 1764450000;

/** The portal's queries: every one is scoped to a customer id the service took from the caller's own user row. */
@Injectable()
export class PortalRepository {
  constructor(private readonly dataSource: DataSource) {}

  async customerIdOfUser(userId: string): Promise<number | null | undefined> {
    const rows: { customerId: number | null }[] = await this.dataSource.query(
      `SELECT customer_id AS "customerId" FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0]?.customerId;
  }

  async findCustomer(customerId: number): Promise<PortalCustomerDto | undefined> {
    const rows: PortalCustomerDto[] = await this.dataSource.query(
      `SELECT id, code, company, first_name AS "firstName", last_name AS "lastName", email
         FROM customers WHERE id = $1`,
      [customerId],
    );
    return rows[0];
  }

  async findLicenseOfCustomer(
    { licenseId, customerId }: { licenseId: number; customerId: number },
    manager?: EntityManager,
  ): Promise<PortalLicenseRow | undefined> {
    const rows: PortalLicenseRow[] = await (manager ?? this.dataSource).query(
      `SELECT id, license_id AS "licenseId", user_key AS "userKey", licensing_mode AS "licensingMode",
              max_allowed_sites AS "maxAllowedSites"
         FROM licenses WHERE id = $1 AND customer_id = $2`,
      [licenseId, customerId],
    );
    return rows[0];
  }

  /** Live tokens per license, for a page of licenses. */
  async countLiveTokens(licenseIds: number[]): Promise<Map<number, number>> {
    if (licenseIds.length === 0) return new Map();
    const rows: { licenseId: number; count: number }[] = await this.dataSource.query(
      `SELECT license_id AS "licenseId", count(*)::int AS count FROM license_tokens
        WHERE license_id = ANY($1) AND (expire_date IS NULL OR expire_date > now()) GROUP BY license_id`,
      [licenseIds],
    );
    return new Map(rows.map((row) => [row.licenseId, row.count]));
  }

  /** Portal deactivations per license since `since`, for a page of licenses. */
  async countDeactivationsSince(
    licenseIds: number[],
    since: Date,
    manager?: EntityManager,
  ): Promise<Map<number, number>> {
    if (licenseIds.length === 0) return new Map();
    const rows: { licenseId: number; count: number }[] = await (manager ?? this.dataSource).query(
      `SELECT license_id AS "licenseId", count(*)::int AS count FROM portal_deactivations
        WHERE license_id = ANY($1) AND created_at > $2 GROUP BY license_id`,
      [licenseIds, since],
    );
    return new Map(rows.map((row) => [row.licenseId, row.count]));
  }

  /** When the oldest deactivation still inside the window was made: the window frees one 30 days after it. */
  async oldestDeactivationSince(manager: EntityManager, licenseId: number, since: Date): Promise<Date | undefined> {
    const rows: { createdAt: Date }[] = await manager.query(
      `SELECT min(created_at) AS "createdAt" FROM portal_deactivations WHERE license_id = $1 AND created_at > $2`,
      [licenseId, since],
    );
    return rows[0]?.createdAt ?? undefined;
  }

  async liveTokens(licenseId: number): Promise<PortalLicenseTokenDto[]> {
    const rows: (Omit<PortalLicenseTokenDto, 'issueDate' | 'expireDate' | 'lastHeartbeat'> & {
      issueDate: Date | null;
      expireDate: Date | null;
      lastHeartbeat: Date | null;
    })[] = await this.dataSource.query(
      `SELECT id, kind, machine_id AS "machineId", client_name AS "clientName", issue_date AS "issueDate",
              expire_date AS "expireDate", last_heartbeat AS "lastHeartbeat"
         FROM license_tokens
        WHERE license_id = $1 AND (expire_date IS NULL OR expire_date > now())
        ORDER BY issue_date, id`,
      [licenseId],
    );
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return rows.map((row) => ({
      ...row,
      issueDate: iso(row.issueDate),
      expireDate: iso(row.expireDate),
      lastHeartbeat: iso(row.lastHeartbeat),
    }));
  }

  async findLiveToken({
    licenseId,
    tokenId,
  }: {
    licenseId: number;
    tokenId: number;
  }): Promise<{ token: string; machineId: string | null; kind: number } | undefined> {
    const rows: { token: string; machineId: string | null; kind: number }[] = await this.dataSource.query(
      `SELECT token, machine_id AS "machineId", kind FROM license_tokens
        WHERE id = $1 AND license_id = $2 AND (expire_date IS NULL OR expire_date > now())`,
      [tokenId, licenseId],
    );
    return rows[0];
  }

  /** Serialises the portal's deactivations of one license until the transaction ends. */
  async lockDeactivations(manager: EntityManager, licenseId: number): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock($1, $2)`, [DEACTIVATION_LOCK, licenseId]);
  }

  async insertDeactivation(
    manager: EntityManager,
    row: { licenseId: number; userId: string | null; machineId: string | null },
  ): Promise<void> {
    await manager.query(`INSERT INTO portal_deactivations (license_id, user_id, machine_id) VALUES ($1, $2, $3)`, [
      row.licenseId,
      row.userId,
      row.machineId,
    ]);
  }
}
