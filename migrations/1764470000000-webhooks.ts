import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks, their deliveries, and the outbox between a write and the delivery queue. A trigger on audit_events
 * writes an outbox row for every audit event some enabled webhook subscribes to, in the transaction of the write
 * that recorded the event (every audit path, the batched license insert included, goes through that table), so a
 * rolled-back write leaves nothing to send. The queue itself (pg-boss) keeps its own schema, `pgboss`, which
 * pg-boss creates and upgrades at start.
 */
export class Webhooks1764470000000 implements MigrationInterface {
  name = 'Webhooks1764470000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE webhooks (
      id serial PRIMARY KEY,
      url varchar(2048) NOT NULL,
      events text[] NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      description varchar(512),
      secret_encrypted text NOT NULL,
      consecutive_failures int NOT NULL DEFAULT 0,
      created_date timestamptz NOT NULL DEFAULT now(),
      updated_date timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX webhooks_events_idx ON webhooks USING gin (events) WHERE enabled`);

    await db.query(`CREATE TABLE webhook_outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL,
      type varchar(64) NOT NULL,
      entity_type varchar(64),
      entity_id text,
      webhook_id int REFERENCES webhooks (id) ON DELETE CASCADE,
      detail jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);

    await db.query(`CREATE TABLE webhook_deliveries (
      id bigserial PRIMARY KEY,
      webhook_id int NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      event_id uuid NOT NULL,
      event_type varchar(64) NOT NULL,
      payload text NOT NULL,
      status varchar(16) NOT NULL DEFAULT 'pending',
      attempts int NOT NULL DEFAULT 0,
      response_status int,
      last_error varchar(1024),
      created_at timestamptz NOT NULL DEFAULT now(),
      next_attempt_at timestamptz,
      delivered_at timestamptz,
      CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'failed'))
    )`);
    await db.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at)`);
    await db.query(`CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (webhook_id, status)`);

    // One license.expiring per license and expiry date: the daily job skips what it already announced.
    await db.query(`CREATE TABLE license_expiry_notices (
      license_id int PRIMARY KEY REFERENCES licenses (id) ON DELETE CASCADE,
      expire_date timestamptz NOT NULL
    )`);

    await db.query(`CREATE FUNCTION webhook_outbox_from_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY[NEW.action::text, '*']) THEN
          INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, created_at)
            VALUES (gen_random_uuid(), NEW.action, NEW.entity_type, NEW.entity_id, NEW.created_at);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER audit_events_webhook_outbox AFTER INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION webhook_outbox_from_audit()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_events_webhook_outbox ON audit_events`);
    await db.query(`DROP FUNCTION webhook_outbox_from_audit()`);
    await db.query(`DROP TABLE license_expiry_notices`);
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhook_outbox`);
    await db.query(`DROP TABLE webhooks`);
    await db.query(`DROP SCHEMA IF EXISTS pgboss CASCADE`);
  }
}
