import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key claims and stored answers, shared by every instance: the primary key (caller, key) is the lock
 * a request takes before its handler runs (src/common/idempotency). Expired rows are purged.
 */
export class IdempotencyKeys1764430000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764430000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE idempotency_keys (
      caller varchar(100) NOT NULL,
      idempotency_key varchar(255) NOT NULL,
      request_hash char(64) NOT NULL,
      state varchar(16) NOT NULL,
      response_status int,
      response_body text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (caller, idempotency_key)
    )`);
    await db.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
  }
}
