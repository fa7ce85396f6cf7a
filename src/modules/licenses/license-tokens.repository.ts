import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { assertRowExists } from '../../database/existing-rows';
import { LicensingMode } from '../signing';
import { LicenseTokenEntity, LicenseTokenKind } from './license-token.entity';
import { LicenseEntity } from './license.entity';
import { LICENSE_TOKEN_QUERY } from './licenses.query';

/** A token is live while it has no expiry or its expiry is in the future (database clock). */
export const LIVE_TOKEN_SQL = '(expire_date IS NULL OR expire_date > now())';

/** The columns of a license that decide whether it may have one more token, read under its row lock. */
export interface LockedLicense {
  id: number;
  licensingMode: LicensingMode;
  maxAllowedSites: number | null;
  revoked: boolean;
  expired: boolean;
}

/** One new token's columns; the expiry is computed by the database (see `insertUnlessTaken`). */
export interface NewToken {
  token: string;
  kind: LicenseTokenKind;
  licenseId: number;
  address: string | null;
  clientId: string | null;
  clientName: string | null;
  machineId: string | null;
  hash: string | null;
  nodeLockedLicenseId: number | null;
  /** An explicit expiry; else `lifetimeSeconds` from now (0 = none); never later than the license's expiry. */
  expireDate: Date | null;
  lifetimeSeconds: number;
}

/**
 * The SQL of license tokens (activations and floating seats) for the Management API and for
 * LicenseTokensService.allocate. A method that takes `manager` runs in the caller's transaction when
 * given one, on the pool otherwise.
 */
@Injectable()
export class LicenseTokensRepository {
  constructor(@InjectRepository(LicenseTokenEntity) private readonly tokens: Repository<LicenseTokenEntity>) {}

  /** A page of tokens, of one license when `licenseId` is given (404 when that license does not exist). */
  async page(options: PageOptions, scope: { licenseId?: number } = {}): Promise<Page<LicenseTokenEntity>> {
    const { licenseId } = scope;
    if (licenseId !== undefined) await assertRowExists(this.tokens.manager, LicenseEntity, licenseId, 'License');
    const qb = this.tokens.createQueryBuilder('token');
    if (licenseId !== undefined) qb.where('token.licenseId = :licenseId', { licenseId });
    return findPage(qb, 'token', LICENSE_TOKEN_QUERY, options);
  }

  async licenseExists(licenseId: number): Promise<boolean> {
    const rows: unknown[] = await this.tokens.query('SELECT 1 FROM licenses WHERE id = $1', [licenseId]);
    return rows.length > 0;
  }

  /**
   * Locks the license row (SELECT … FOR UPDATE) for the rest of `manager`'s transaction: whoever
   * counts and inserts tokens of a license holds this lock, which is what keeps seats exact.
   */
  async lockLicense(manager: EntityManager, licenseId: number): Promise<LockedLicense | undefined> {
    const [license]: LockedLicense[] = await manager.query(
      `SELECT id, licensing_mode AS "licensingMode", max_allowed_sites AS "maxAllowedSites", revoked,
              coalesce(expire_date <= now(), false) AS expired
         FROM licenses WHERE id = $1 FOR UPDATE`,
      [licenseId],
    );
    return license;
  }

  /** Live tokens of every license by kind (1 activation, 2 floating): one scan, run when metrics are scraped. */
  async countAllLiveByKind(): Promise<Array<{ kind: number; count: number }>> {
    return this.tokens.manager.query(
      `SELECT kind, count(*)::int AS count FROM license_tokens WHERE ${LIVE_TOKEN_SQL} GROUP BY kind`,
    );
  }

  async countLive(licenseId: number, manager: EntityManager = this.tokens.manager): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await manager.query(
      `SELECT count(*)::int AS count FROM license_tokens WHERE license_id = $1 AND ${LIVE_TOKEN_SQL}`,
      [licenseId],
    );
    return count;
  }

  /** The oldest live token of a machine on a license. */
  findLiveForMachine(
    { licenseId, machineId }: { licenseId: number; machineId: string },
    manager: EntityManager = this.tokens.manager,
  ): Promise<LicenseTokenEntity | null> {
    return manager
      .getRepository(LicenseTokenEntity)
      .createQueryBuilder('token')
      .where(
        'token.licenseId = :licenseId AND token.machineId = :machineId AND (token.expireDate IS NULL OR token.expireDate > now())',
        { licenseId, machineId },
      )
      .orderBy('token.id', 'ASC')
      .getOne();
  }

  /**
   * Inserts a token; undefined when its token text is taken (ON CONFLICT DO NOTHING, so that the
   * caller's transaction survives and it can retry with another). The expiry is computed on the
   * database clock, the one every instance shares, and capped at the license's expiry.
   */
  async insertUnlessTaken(manager: EntityManager, token: NewToken): Promise<number | undefined> {
    const rows: Array<{ id: number }> = await manager.query(
      `INSERT INTO license_tokens (token, kind, address, client_id, client_name, machine_id, hash, license_id, node_locked_license_id, issue_date, last_heartbeat, expire_date)
       SELECT $1::varchar, $2::smallint, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::varchar, l.id, $8::int, now(),
              CASE WHEN $2::smallint = ${LicenseTokenKind.Floating} THEN now() END,
              CASE
                WHEN coalesce($9::timestamptz, CASE WHEN $10::float8 > 0 THEN now() + make_interval(secs => $10::float8) END) IS NULL THEN l.expire_date
                ELSE LEAST(coalesce($9::timestamptz, now() + make_interval(secs => $10::float8)), l.expire_date)
              END
         FROM licenses l WHERE l.id = $11::int
       ON CONFLICT (token) DO NOTHING
       RETURNING id`,
      [
        token.token,
        token.kind,
        token.address,
        token.clientId,
        token.clientName,
        token.machineId,
        token.hash,
        token.nodeLockedLicenseId,
        token.expireDate,
        token.lifetimeSeconds,
        token.licenseId,
      ],
    );
    return rows[0]?.id;
  }

  findById(id: number, manager: EntityManager = this.tokens.manager): Promise<LicenseTokenEntity> {
    return manager.getRepository(LicenseTokenEntity).findOneByOrFail({ id });
  }

  /** Whether a token of that license was deleted. */
  async delete(
    { licenseId, tokenId }: { licenseId: number; tokenId: number },
    manager: EntityManager = this.tokens.manager,
  ): Promise<boolean> {
    const result = await manager.getRepository(LicenseTokenEntity).delete({ id: tokenId, licenseId });
    return Boolean(result.affected);
  }
}
