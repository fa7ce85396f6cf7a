import { MigrationInterface, QueryRunner } from 'typeorm';

export class AppSettings1764300050000 implements MigrationInterface {
  name = 'AppSettings1764300050000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE app_settings (
      "group" varchar(64) NOT NULL,
      name varchar(128) NOT NULL,
      value jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("group", name)
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE app_settings');
  }
}
