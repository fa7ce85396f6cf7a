import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { packageVersion } from '../../bootstrap';
import { SettingsService } from '../settings/settings.service';
import { GetServerInfoResponse } from './info.dto';

/** As in package.json. */
const SERVER_LICENSE = 'MIT';
const OPEN_SOURCE_EDITION = 0;

@Injectable()
export class InfoService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
  ) {}

  /** Counts come from the database on every call: one pass over licenses, one over tokens. */
  async get(clientAddress: string): Promise<GetServerInfoResponse> {
    const [[licenses], [tokens], product] = await Promise.all([
      this.dataSource.query(
        `SELECT count(*)::int AS "totalLicenses",
                count(*) FILTER (WHERE revoked)::int AS "revokedLicenses",
                count(*) FILTER (WHERE trace)::int AS "tracedLicenses",
                count(*) FILTER (WHERE licensing_mode = 0)::int AS "fileLicenses",
                count(*) FILTER (WHERE licensing_mode = 1)::int AS "activationLicenses",
                count(*) FILTER (WHERE licensing_mode = 2)::int AS "floatingLicenses",
                coalesce(sum(max_allowed_sites) FILTER (WHERE licensing_mode <> 0 AND NOT revoked AND (expire_date IS NULL OR expire_date > now())), 0)::float8 AS "maxTokens"
           FROM licenses`,
      ),
      this.dataSource.query(
        `SELECT count(*) FILTER (WHERE live)::int AS "activeTokens",
                count(*) FILTER (WHERE live AND kind = 1)::int AS "activationTokens",
                count(*) FILTER (WHERE live AND kind = 2)::int AS "floatingTokens",
                count(*) FILTER (WHERE NOT live)::int AS "expiredTokens"
           FROM (SELECT kind, (expire_date IS NULL OR expire_date > now()) AS live FROM license_tokens) AS token`,
      ),
      this.settings.get<string>('Application.ProductName'),
    ]);
    return {
      product,
      edition: OPEN_SOURCE_EDITION,
      version: packageVersion,
      license: SERVER_LICENSE,
      serverHost: hostname(),
      serverTime: new Date().toISOString(),
      clientAddress,
      ...tokens,
      ...licenses,
    } as GetServerInfoResponse;
  }
}
