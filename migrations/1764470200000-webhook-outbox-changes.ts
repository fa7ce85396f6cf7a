import { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTION_HEAD = `CREATE OR REPLACE FUNCTION webhook_outbox_from_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY[NEW.action::text, '*']) THEN`;
const FUNCTION_TAIL = `
        END IF;
        RETURN NULL;
      END $$`;

/** An audit event's `changes` (already redacted) travel with its outbox row: the event's data shows what changed. */
export class WebhookOutboxChanges1764470200000 implements MigrationInterface {
  name = 'WebhookOutboxChanges1764470200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`${FUNCTION_HEAD}
          INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail, created_at)
            VALUES (gen_random_uuid(), NEW.action, NEW.entity_type, NEW.entity_id,
                    CASE WHEN NEW.changes IS NULL THEN NULL ELSE jsonb_build_object('changes', NEW.changes) END,
                    NEW.created_at);${FUNCTION_TAIL}`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`${FUNCTION_HEAD}
          INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, created_at)
            VALUES (gen_random_uuid(), NEW.action, NEW.entity_type, NEW.entity_id, NEW.created_at);${FUNCTION_TAIL}`);
  }
}
