import { MigrationInterface, QueryRunner } from 'typeorm';

/** Machines customers freed in the portal, counted per license over 30 days (Licensing.PortalDeactivationsPer30Days). */
export class PortalDeactivations1764450000000 implements MigrationInterface {
  name = 'PortalDeactivations1764450000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE portal_deactivations (
      id serial PRIMARY KEY,
      license_id int NOT NULL REFERENCES licenses (id) ON DELETE CASCADE,
      user_id uuid,
      machine_id varchar(256),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(
      `CREATE INDEX portal_deactivations_license_id_created_at_idx ON portal_deactivations (license_id, created_at)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE portal_deactivations`);
  }
}
