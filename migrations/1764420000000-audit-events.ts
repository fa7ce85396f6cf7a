import { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail: one row per change, written in the transaction of the change. */
export class AuditEvents1764420000000 implements MigrationInterface {
  name = 'AuditEvents1764420000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE audit_events (
      id bigserial PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      action varchar(64) NOT NULL,
      entity_type varchar(64) NOT NULL,
      entity_id text,
      actor_type varchar(16) NOT NULL,
      actor_id text,
      actor_name varchar(256),
      address varchar(64),
      request_id varchar(64),
      changes jsonb
    )`);
    await db.query(`CREATE INDEX audit_events_created_at_idx ON audit_events (created_at)`);
    await db.query(`CREATE INDEX audit_events_action_idx ON audit_events (action)`);
    await db.query(`CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id)`);
    await db.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_events`);
  }
}
