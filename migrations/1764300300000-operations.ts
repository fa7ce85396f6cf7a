import { MigrationInterface, QueryRunner } from 'typeorm';

/** The application's own log (written in batches) and the reports client applications submit. */
export class Operations1764300300000 implements MigrationInterface {
  name = 'Operations1764300300000';

  async up(db: QueryRunner): Promise<void> {
    // bigint: one entry per request outlives int32 on a busy server; level is 0 Verbose … 5 Fatal.
    await db.query(`CREATE TABLE log_entries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      time_stamp timestamptz NOT NULL DEFAULT now(),
      level smallint NOT NULL CHECK (level BETWEEN 0 AND 5),
      message text NOT NULL,
      message_template text NOT NULL,
      exception text,
      properties text
    )`);
    await db.query(`CREATE INDEX log_entries_time_stamp_idx ON log_entries (time_stamp)`);
    await db.query(`CREATE INDEX log_entries_level_time_stamp_idx ON log_entries (level, time_stamp)`);

    await db.query(`CREATE TABLE reports (
      id serial PRIMARY KEY,
      uid uuid NOT NULL DEFAULT gen_random_uuid(),
      name varchar(128) NOT NULL,
      version varchar(64),
      date timestamptz NOT NULL DEFAULT now(),
      user_key varchar(256),
      machine_id varchar(256),
      client_id varchar(256),
      client_name varchar(256),
      content_type varchar(128),
      content bytea,
      address varchar(64)
    )`);
    await db.query(`CREATE UNIQUE INDEX reports_uid_unique ON reports (uid)`);
    await db.query(`CREATE INDEX reports_date_idx ON reports (date)`);
    await db.query(`CREATE INDEX reports_name_idx ON reports (name)`);
    await db.query(`CREATE INDEX reports_user_key_idx ON reports (user_key)`);
    await db.query(`CREATE INDEX reports_machine_id_idx ON reports (machine_id)`);

    await db.query(`CREATE TABLE report_properties (
      id serial PRIMARY KEY,
      name varchar(256) NOT NULL,
      value text,
      report_id int NOT NULL REFERENCES reports(id) ON DELETE CASCADE
    )`);
    await db.query(`CREATE INDEX report_properties_report_id_idx ON report_properties (report_id)`);
    await db.query(`CREATE INDEX report_properties_name_idx ON report_properties (name)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE report_properties');
    await db.query('DROP TABLE reports');
    await db.query('DROP TABLE log_entries');
  }
}
