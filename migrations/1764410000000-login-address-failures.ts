import { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed logins per client address, shared by every instance (LOGIN_ADDRESS_MAX_FAILURES). */
export class LoginAddressFailures1764410000000 implements MigrationInterface {
  name = 'LoginAddressFailures1764410000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE login_address_failures (
      client_address varchar(64) PRIMARY KEY,
      window_started_at timestamptz NOT NULL,
      failure_count int NOT NULL
    )`);
    await db.query(
      `CREATE INDEX login_address_failures_window_started_at_idx ON login_address_failures (window_started_at)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_address_failures`);
  }
}
