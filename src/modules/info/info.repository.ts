import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  DashboardDayDto,
  DashboardExpiringLicenseDto,
  DashboardLicenseCountDto,
  GetServerInfoResponse,
} from './info.dto';

export type LicenseCounts = Pick<
  GetServerInfoResponse,
  | 'totalLicenses'
  | 'revokedLicenses'
  | 'tracedLicenses'
  | 'fileLicenses'
  | 'activationLicenses'
  | 'floatingLicenses'
  | 'maxTokens'
>;

export type TokenCounts = Pick<
  GetServerInfoResponse,
  'activeTokens' | 'activationTokens' | 'floatingTokens' | 'expiredTokens'
>;

/** A node-locked copy (made by an activation, a token points at it) is not a license of its own on the dashboard. */
const IS_NODE_LOCKED_COPY = 'SELECT 1 FROM license_tokens t WHERE t.node_locked_license_id = l.id';

/** The counts of the server information, read across the licensing tables on every call. */
@Injectable()
export class InfoRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One pass over licenses. */
  async countLicenses(): Promise<LicenseCounts> {
    const [counts]: LicenseCounts[] = await this.dataSource.query(
      `SELECT count(*)::int AS "totalLicenses",
              count(*) FILTER (WHERE revoked)::int AS "revokedLicenses",
              count(*) FILTER (WHERE trace)::int AS "tracedLicenses",
              count(*) FILTER (WHERE licensing_mode = 0)::int AS "fileLicenses",
              count(*) FILTER (WHERE licensing_mode = 1)::int AS "activationLicenses",
              count(*) FILTER (WHERE licensing_mode = 2)::int AS "floatingLicenses",
              coalesce(sum(max_allowed_sites) FILTER (WHERE licensing_mode <> 0 AND NOT revoked AND (expire_date IS NULL OR expire_date > now())), 0)::float8 AS "maxTokens"
         FROM licenses`,
    );
    return counts;
  }

  /** One pass over tokens; a token is live until its expiry date. */
  async countTokens(): Promise<TokenCounts> {
    const [counts]: TokenCounts[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE live)::int AS "activeTokens",
              count(*) FILTER (WHERE live AND kind = 1)::int AS "activationTokens",
              count(*) FILTER (WHERE live AND kind = 2)::int AS "floatingTokens",
              count(*) FILTER (WHERE NOT live)::int AS "expiredTokens"
         FROM (SELECT kind, (expire_date IS NULL OR expire_date > now()) AS live FROM license_tokens) AS token`,
    );
    return counts;
  }

  /** Licenses per mode and state, in one pass. */
  async countLicensesByMode(): Promise<DashboardLicenseCountDto[]> {
    return this.dataSource.query(
      `SELECT mode AS "licensingMode",
              count(l.id) FILTER (WHERE NOT l.revoked AND (l.expire_date IS NULL OR l.expire_date > now()))::int AS active,
              count(l.id) FILTER (WHERE l.revoked)::int AS revoked,
              count(l.id) FILTER (WHERE NOT l.revoked AND l.expire_date <= now())::int AS expired
         FROM generate_series(0, 2) AS mode
         LEFT JOIN licenses l ON l.licensing_mode = mode AND NOT EXISTS (${IS_NODE_LOCKED_COPY})
        GROUP BY mode ORDER BY mode`,
    );
  }

  /** Activations, deactivations and floating seats per UTC day over the last 30 days, from the audit trail. */
  async activationsPerDay(): Promise<DashboardDayDto[]> {
    return this.dataSource.query(
      `WITH days AS (
         SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 29, (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day
       ), events AS (
         SELECT (created_at AT TIME ZONE 'UTC')::date AS day, action
           FROM audit_events
          WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - 29) AT TIME ZONE 'UTC'
            AND action IN ('license.activated', 'license.deactivated', 'seat.granted')
       )
       SELECT to_char(days.day, 'YYYY-MM-DD') AS date,
              count(events.action) FILTER (WHERE events.action = 'license.activated')::int AS activations,
              count(events.action) FILTER (WHERE events.action = 'license.deactivated')::int AS deactivations,
              count(events.action) FILTER (WHERE events.action = 'seat.granted')::int AS seats
         FROM days LEFT JOIN events ON events.day = days.day
        GROUP BY days.day ORDER BY days.day`,
    );
  }

  async countExpiring(): Promise<number> {
    const [row]: { count: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM licenses l
        WHERE NOT revoked AND expire_date > now() AND expire_date <= now() + interval '30 days'
          AND NOT EXISTS (${IS_NODE_LOCKED_COPY})`,
    );
    return row.count;
  }

  async expiringLicenses(limit: number): Promise<DashboardExpiringLicenseDto[]> {
    const rows: (Omit<DashboardExpiringLicenseDto, 'expireDate'> & { expireDate: Date })[] =
      await this.dataSource.query(
        `SELECT id, license_id AS "licenseId", licensee_name AS "licenseeName", product->>'name' AS "productName",
              expire_date AS "expireDate"
         FROM licenses l
        WHERE NOT revoked AND expire_date > now() AND expire_date <= now() + interval '30 days'
          AND NOT EXISTS (${IS_NODE_LOCKED_COPY})
        ORDER BY expire_date, id LIMIT $1`,
        [limit],
      );
    return rows.map((row) => ({ ...row, expireDate: row.expireDate.toISOString() }));
  }
}
