import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { TraceAction } from '../licenses/license-trace.entity';
import { LicensingMode } from '../signing';
import { PreparedStatement, PreparedStatementsService } from './prepared-statements.service';

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

/** The token a heartbeat extended. */
export interface Heartbeat {
  id: number;
  licenseRowId: number;
  trace: boolean;
  expireDate: Date | null;
}

/** A live floating seat, as renewing it answers it. */
export interface HeldSeat {
  id: number;
  token: string;
  expireDate: Date;
}

/** A token with its license, to say why an operation on it found nothing to do. */
export interface TokenState {
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

export interface ActivationToken {
  id: number;
  token: string;
  machineId: string | null;
  nodeLockedLicenseId: number | null;
}

/** What one sweep batch deleted and traced, and the node-locked licenses the deleted tokens pointed to. */
export interface SweptBatch {
  swept: number;
  /** Of which floating seats (the rest are activations). */
  sweptFloating: number;
  traced: number;
  nodeLocked: number[];
}

const ACTIVATION_COLUMNS = 'id, token, machine_id AS "machineId", node_locked_license_id AS "nodeLockedLicenseId"';

/**
 * License tokens as the client API and its expiry sweep use them: heartbeats (a named prepared
 * statement, the heartbeat path's whole database cost), seat renewals, activation lookups and the
 * sweep. A method that takes `manager` runs in the caller's transaction (or on the query runner
 * whose manager it is).
 */
@Injectable()
export class ClientTokensRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly statements: PreparedStatementsService,
  ) {}

  /** Extends a live token of a usable license (see HEARTBEAT); undefined when there is none to extend. */
  async heartbeat({
    licenseToken,
    lifetimeSeconds,
    userKey,
  }: {
    licenseToken: string;
    lifetimeSeconds: number;
    userKey: string | null;
  }): Promise<Heartbeat | undefined> {
    const [beat] = await this.statements.query<Heartbeat>(HEARTBEAT, [licenseToken, lifetimeSeconds, userKey]);
    return beat;
  }

  /**
   * Renews the oldest live floating seat the client holds on the license for `lifetimeSeconds` (never
   * past the license's expiry), updating what the client says about itself; undefined when it holds none.
   */
  async renewSeat(
    manager: EntityManager,
    seat: {
      licenseId: number;
      clientId: string | null;
      lifetimeSeconds: number;
      clientName: string | null;
      machineId: string | null;
      address: string | null;
    },
  ): Promise<HeldSeat | undefined> {
    const [held]: HeldSeat[] = await manager.query(
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
      [seat.licenseId, seat.clientId, seat.lifetimeSeconds, seat.clientName, seat.machineId, seat.address],
    );
    return held;
  }

  /** The token and its license; undefined when it does not exist or belongs to another user key than the one given. */
  async tokenState({
    licenseToken,
    userKey,
  }: {
    licenseToken: string;
    userKey: string | null;
  }): Promise<TokenState | undefined> {
    const [state]: TokenState[] = await this.dataSource.query(
      `SELECT t.id, t.kind, t.license_id AS "licenseRowId", l.license_id AS "licenseId", l.trace,
              coalesce(t.expire_date <= now(), false) AS "tokenExpired", t.expire_date AS "tokenExpireDate",
              l.revoked, coalesce(l.expire_date <= now(), false) AS expired, l.expire_date AS "expireDate",
              coalesce(l.max_allowed_sites, 1) AS "maxAllowedSites", l.licensing_mode AS "licensingMode"
         FROM license_tokens t JOIN licenses l ON l.id = t.license_id
        WHERE t.token = $1 AND ($2::varchar IS NULL OR l.user_key = $2::varchar)`,
      [licenseToken, userKey],
    );
    return state;
  }

  /** The license's activation token of that text, live or not. */
  async findActivationByToken(
    manager: EntityManager,
    { licenseId, licenseToken }: { licenseId: number; licenseToken: string },
  ): Promise<ActivationToken | undefined> {
    const [token]: ActivationToken[] = await manager.query(
      `SELECT ${ACTIVATION_COLUMNS} FROM license_tokens WHERE token = $1 AND license_id = $2 AND kind = ${LicenseTokenKind.Activation}`,
      [licenseToken, licenseId],
    );
    return token;
  }

  /** The machine's oldest live activation token on the license. */
  async findLiveActivationOfMachine(
    manager: EntityManager,
    { licenseId, machineId }: { licenseId: number; machineId: string | null },
  ): Promise<ActivationToken | undefined> {
    const [token]: ActivationToken[] = await manager.query(
      `SELECT ${ACTIVATION_COLUMNS} FROM license_tokens
        WHERE license_id = $1 AND machine_id = $2 AND kind = ${LicenseTokenKind.Activation} AND (expire_date IS NULL OR expire_date > now())
        ORDER BY id LIMIT 1`,
      [licenseId, machineId],
    );
    return token;
  }

  /** A session advisory lock: `manager` must be that of a query runner, which holds the session. */
  /** A transaction-level advisory lock: released at commit or rollback, on the connection that ran the transaction. */
  async tryAdvisoryXactLock(manager: EntityManager, key: number): Promise<boolean> {
    const [{ locked }]: Array<{ locked: boolean }> = await manager.query(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [key],
    );
    return locked;
  }

  /**
   * Deletes up to `limit` expired tokens (oldest expiry first, skipping rows others hold) and, for
   * traced licenses, records each as a FloatingRelease or Deactivate trace with result "Expired"; each is a
   * seat.expired webhook event when a webhook subscribes to it.
   */
  async sweepExpired(manager: EntityManager, { limit }: { limit: number }): Promise<SweptBatch> {
    const [batch]: SweptBatch[] = await manager.query(
      `WITH expired AS (
         DELETE FROM license_tokens WHERE id IN (
           SELECT id FROM license_tokens WHERE expire_date <= now() ORDER BY expire_date LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, license_id, kind, client_id, client_name, machine_id, address, node_locked_license_id, expire_date
       ), traced AS (
         INSERT INTO license_traces (license_id, action, client_ip, client_id, client_name, machine_id, meta, created_date)
         SELECT e.license_id, CASE WHEN e.kind = ${LicenseTokenKind.Floating} THEN ${TraceAction.FloatingRelease} ELSE ${TraceAction.Deactivate} END,
                e.address, e.client_id, e.client_name, e.machine_id,
                json_build_object('result', 'Expired', 'tokenId', e.id, 'expiredAt', e.expire_date)::text, now()
           FROM expired e JOIN licenses l ON l.id = e.license_id WHERE l.trace
         RETURNING 1
       ), notified AS (
         -- seat.expired for the webhooks subscribed to it, committed with the sweep (see common/webhooks).
         INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail)
         SELECT gen_random_uuid(), 'seat.expired', 'license', e.license_id::text, jsonb_build_object('seat', jsonb_build_object(
                  'kind', CASE WHEN e.kind = ${LicenseTokenKind.Floating} THEN 'floating' ELSE 'activation' END,
                  'tokenId', e.id, 'clientId', e.client_id, 'clientName', e.client_name, 'machineId', e.machine_id,
                  'address', e.address, 'expiredAt', e.expire_date))
           FROM expired e
          WHERE EXISTS (SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY['seat.expired', '*'])
       )
       SELECT count(*)::int AS swept, (count(*) FILTER (WHERE kind = ${LicenseTokenKind.Floating}))::int AS "sweptFloating",
              (SELECT count(*)::int FROM traced) AS traced,
              coalesce(array_agg(node_locked_license_id) FILTER (WHERE node_locked_license_id IS NOT NULL), '{}') AS "nodeLocked"
         FROM expired`,
      [limit],
    );
    return batch;
  }
}
