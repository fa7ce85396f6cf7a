import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the attempt under way was claimed: an attempt whose instance died while sending it (its pg-boss job expires
 * and runs again) may be claimed again once the claim is older than any attempt can take, and only then.
 */
export class WebhookAttemptClaims1764470100000 implements MigrationInterface {
  name = 'WebhookAttemptClaims1764470100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE webhook_deliveries ADD COLUMN attempt_started_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE webhook_deliveries DROP COLUMN attempt_started_at`);
  }
}
