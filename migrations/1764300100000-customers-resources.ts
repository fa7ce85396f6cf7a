import { MigrationInterface, QueryRunner } from 'typeorm';

export class CustomersResources1764300100000 implements MigrationInterface {
  name = 'CustomersResources1764300100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE customers (
      id serial PRIMARY KEY,
      title varchar(64),
      first_name varchar(128),
      last_name varchar(128),
      company varchar(256),
      code varchar(64) NOT NULL,
      vat_code varchar(64),
      invoice_code varchar(64),
      rating int,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      address varchar(512),
      address1 varchar(512),
      address2 varchar(512),
      postal_code varchar(32),
      region varchar(128),
      city varchar(128),
      country varchar(128),
      country_code varchar(8),
      map_coordinates varchar(128),
      map_zoom_level double precision,
      email varchar(256),
      phone varchar(64),
      mobile varchar(64),
      fax varchar(64),
      website varchar(512),
      notes text,
      is_reseller boolean NOT NULL DEFAULT false,
      image text,
      meta text
    )`);
    // Codes are typed by people and printed on invoices: "c-1" and "C-1" must not both exist.
    await db.query(`CREATE UNIQUE INDEX customers_code_unique ON customers (lower(code))`);
    await db.query(`CREATE INDEX customers_code_idx ON customers (code)`);
    await db.query(`CREATE INDEX customers_company_idx ON customers (company)`);
    await db.query(`CREATE INDEX customers_last_name_idx ON customers (last_name)`);
    await db.query(`CREATE INDEX customers_email_idx ON customers (email)`);
    await db.query(`CREATE INDEX customers_created_at_idx ON customers (created_at)`);

    await db.query(`CREATE TABLE contacts (
      id serial PRIMARY KEY,
      customer_id int NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      title varchar(64),
      first_name varchar(128),
      last_name varchar(128),
      email varchar(256),
      phone varchar(64),
      mobile varchar(64),
      fax varchar(64),
      details text,
      notify boolean NOT NULL DEFAULT false,
      meta text
    )`);
    await db.query(`CREATE INDEX contacts_customer_id_idx ON contacts (customer_id)`);
    await db.query(`CREATE INDEX contacts_last_name_idx ON contacts (last_name)`);
    await db.query(`CREATE INDEX contacts_email_idx ON contacts (email)`);

    // users.customer_id predates this table, so any value in it points nowhere yet.
    await db.query(`UPDATE users SET customer_id = NULL WHERE customer_id IS NOT NULL`);
    await db.query(
      `ALTER TABLE users ADD CONSTRAINT users_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE SET NULL`,
    );

    await db.query(`CREATE TABLE resources (
      id serial PRIMARY KEY,
      name varchar(256) NOT NULL,
      type varchar(64),
      code varchar(128),
      description text,
      source varchar(1024),
      password_hash varchar(256),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      data text,
      data_format varchar(32),
      meta text,
      key_id varchar(64),
      private_key_encrypted text,
      CONSTRAINT resources_signing_key_complete CHECK ((key_id IS NULL) = (private_key_encrypted IS NULL))
    )`);
    await db.query(`CREATE UNIQUE INDEX resources_code_unique ON resources (lower(code)) WHERE code IS NOT NULL`);
    await db.query(`CREATE INDEX resources_code_idx ON resources (code)`);
    await db.query(`CREATE INDEX resources_name_idx ON resources (name)`);
    await db.query(`CREATE INDEX resources_type_idx ON resources (type)`);
    await db.query(`CREATE INDEX resources_created_at_idx ON resources (created_at)`);
    await db.query(`CREATE INDEX resources_key_id_idx ON resources (key_id) WHERE key_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE resources');
    await db.query('ALTER TABLE users DROP CONSTRAINT users_customer_id_fkey');
    await db.query('DROP TABLE contacts');
    await db.query('DROP TABLE customers');
  }
}
