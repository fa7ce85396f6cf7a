import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GetServerInfoResponse } from './info.dto';

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
}
