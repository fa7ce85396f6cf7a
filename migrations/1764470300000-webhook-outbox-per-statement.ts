import { MigrationInterface, QueryRunner } from 'typeorm';

const ROW_FUNCTION = `CREATE OR REPLACE FUNCTION webhook_outbox_from_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY[NEW.action::text, '*']) THEN
          INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail, created_at)
            VALUES (gen_random_uuid(), NEW.action, NEW.entity_type, NEW.entity_id,
                    CASE WHEN NEW.changes IS NULL THEN NULL ELSE jsonb_build_object('changes', NEW.changes) END,
                    NEW.created_at);
        END IF;
        RETURN NULL;
      END $$`;

/**
 * The outbox trigger runs once per statement over its transition table instead of once per audit row: a batch of 64
 * new licenses wrote 64 audit rows and ran the row trigger's plpgsql and its lookup of the webhooks 64 times, which
 * made generating licenses 0.91× as fast as before webhooks existed. With no enabled webhook it now costs one lookup
 * per statement; with some, one INSERT … SELECT of the events a webhook subscribes to, in the order they were written.
 */
export class WebhookOutboxPerStatement1764470300000 implements MigrationInterface {
  name = 'WebhookOutboxPerStatement1764470300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_events_webhook_outbox ON audit_events`);
    await db.query(`DROP FUNCTION webhook_outbox_from_audit()`);
    await db.query(`CREATE FUNCTION webhook_outbox_from_audit_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhooks WHERE enabled) THEN
          INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail, created_at)
            SELECT gen_random_uuid(), n.action, n.entity_type, n.entity_id,
                   CASE WHEN n.changes IS NULL THEN NULL ELSE jsonb_build_object('changes', n.changes) END,
                   n.created_at
              FROM new_audit_events n
             WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.enabled AND w.events && ARRAY[n.action::text, '*'])
             ORDER BY n.id;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER audit_events_webhook_outbox AFTER INSERT ON audit_events
      REFERENCING NEW TABLE AS new_audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_from_audit_statement()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_events_webhook_outbox ON audit_events`);
    await db.query(`DROP FUNCTION webhook_outbox_from_audit_statement()`);
    await db.query(ROW_FUNCTION);
    await db.query(`CREATE TRIGGER audit_events_webhook_outbox AFTER INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION webhook_outbox_from_audit()`);
  }
}
