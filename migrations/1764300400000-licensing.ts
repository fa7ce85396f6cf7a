import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * License templates, licenses, their tokens (activations and floating seats) and traces.
 * Licenses keep their customer, order, product, template and signature key with ON DELETE RESTRICT:
 * deleting any of those while licenses use it must fail, never orphan or silently drop licenses.
 */
export class Licensing1764300400000 implements MigrationInterface {
  name = 'Licensing1764300400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE license_templates (
      id serial PRIMARY KEY,
      name varchar(256) NOT NULL,
      code varchar(128),
      license_type varchar(128),
      format smallint NOT NULL DEFAULT 0 CHECK (format BETWEEN 0 AND 3),
      licensing_mode smallint NOT NULL DEFAULT 0 CHECK (licensing_mode BETWEEN 0 AND 2),
      license_file_name varchar(256),
      issue_date boolean NOT NULL DEFAULT true,
      expire_days int CHECK (expire_days >= 0),
      support_days int CHECK (support_days >= 0),
      generate_key_info boolean NOT NULL DEFAULT false,
      user_key varchar(256),
      description text,
      template text NOT NULL,
      product_id int REFERENCES products(id) ON DELETE RESTRICT,
      signature_keys_id int REFERENCES resources(id) ON DELETE RESTRICT,
      release_id int REFERENCES product_releases(id) ON DELETE RESTRICT,
      product jsonb,
      components jsonb NOT NULL DEFAULT '[]',
      assemblies jsonb NOT NULL DEFAULT '[]',
      fields jsonb NOT NULL DEFAULT '[]',
      features jsonb NOT NULL DEFAULT '[]',
      restrictions jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX license_templates_name_idx ON license_templates (name)`);
    await db.query(`CREATE INDEX license_templates_product_release_idx ON license_templates (product_id, release_id)`);
    await db.query(`CREATE INDEX license_templates_release_id_idx ON license_templates (release_id)`);
    await db.query(`CREATE INDEX license_templates_signature_keys_id_idx ON license_templates (signature_keys_id)`);

    await db.query(`CREATE TABLE licenses (
      id serial PRIMARY KEY,
      license_id varchar(128) NOT NULL,
      license_type varchar(128),
      format smallint NOT NULL DEFAULT 0 CHECK (format BETWEEN 0 AND 3),
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      issue_date timestamptz,
      expire_date timestamptz,
      support_expire_date timestamptz,
      revoked boolean NOT NULL DEFAULT false,
      trace boolean NOT NULL DEFAULT false,
      license_key text NOT NULL,
      max_allowed_sites int CHECK (max_allowed_sites >= 0),
      user_key varchar(256) NOT NULL,
      licensing_mode smallint NOT NULL DEFAULT 0 CHECK (licensing_mode BETWEEN 0 AND 2),
      licensee_name varchar(256),
      licensee_company varchar(256),
      licensee_email varchar(256),
      hash char(64) NOT NULL,
      meta text,
      generate_key_info boolean NOT NULL DEFAULT false,
      template_id int REFERENCES license_templates(id) ON DELETE RESTRICT,
      signature_keys_id int NOT NULL REFERENCES resources(id) ON DELETE RESTRICT,
      signing_key_id varchar(16) NOT NULL,
      customer_id int REFERENCES customers(id) ON DELETE RESTRICT,
      order_id int REFERENCES orders(id) ON DELETE RESTRICT,
      product_id int REFERENCES products(id) ON DELETE RESTRICT,
      product jsonb,
      licensee jsonb,
      components jsonb NOT NULL DEFAULT '[]',
      assemblies jsonb NOT NULL DEFAULT '[]',
      fields jsonb NOT NULL DEFAULT '[]',
      features jsonb NOT NULL DEFAULT '[]',
      restrictions jsonb NOT NULL DEFAULT '[]'
    )`);
    await db.query(`CREATE UNIQUE INDEX licenses_license_id_unique ON licenses (license_id)`);
    await db.query(`CREATE UNIQUE INDEX licenses_user_key_unique ON licenses (user_key)`);
    await db.query(`CREATE INDEX licenses_licensee_email_idx ON licenses (licensee_email)`);
    await db.query(`CREATE INDEX licenses_licensee_name_idx ON licenses (licensee_name)`);
    await db.query(`CREATE INDEX licenses_created_at_idx ON licenses (created_at)`);
    await db.query(`CREATE INDEX licenses_expire_date_idx ON licenses (expire_date)`);
    await db.query(`CREATE INDEX licenses_mode_created_at_idx ON licenses (licensing_mode, created_at)`);
    await db.query(`CREATE INDEX licenses_revoked_idx ON licenses (id) WHERE revoked`);
    await db.query(`CREATE INDEX licenses_customer_created_at_idx ON licenses (customer_id, created_at)`);
    await db.query(`CREATE INDEX licenses_order_id_idx ON licenses (order_id)`);
    await db.query(`CREATE INDEX licenses_product_id_idx ON licenses (product_id)`);
    await db.query(`CREATE INDEX licenses_template_id_idx ON licenses (template_id)`);
    await db.query(`CREATE INDEX licenses_signature_keys_id_idx ON licenses (signature_keys_id)`);

    await db.query(`CREATE TABLE license_tokens (
      id serial PRIMARY KEY,
      token varchar(128) NOT NULL,
      kind smallint NOT NULL CHECK (kind IN (1, 2)),
      address varchar(64),
      client_id varchar(256),
      client_name varchar(256),
      machine_id varchar(256),
      issue_date timestamptz NOT NULL DEFAULT now(),
      expire_date timestamptz,
      last_heartbeat timestamptz,
      hash varchar(128),
      license_id int NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
      node_locked_license_id int REFERENCES licenses(id) ON DELETE SET NULL
    )`);
    await db.query(`CREATE UNIQUE INDEX license_tokens_token_unique ON license_tokens (token)`);
    await db.query(`CREATE INDEX license_tokens_license_expire_idx ON license_tokens (license_id, expire_date)`);
    await db.query(`CREATE INDEX license_tokens_expire_date_idx ON license_tokens (expire_date)`);
    await db.query(`CREATE INDEX license_tokens_machine_id_idx ON license_tokens (machine_id)`);
    await db.query(`CREATE INDEX license_tokens_node_locked_license_id_idx ON license_tokens (node_locked_license_id)`);

    await db.query(`CREATE TABLE license_traces (
      id serial PRIMARY KEY,
      client_ip varchar(64),
      client_id varchar(256),
      client_name varchar(256),
      machine_id varchar(256),
      created_date timestamptz NOT NULL DEFAULT now(),
      action smallint NOT NULL DEFAULT 0 CHECK (action BETWEEN 0 AND 6),
      geo_location varchar(256),
      meta text,
      license_id int NOT NULL REFERENCES licenses(id) ON DELETE CASCADE
    )`);
    await db.query(`CREATE INDEX license_traces_license_created_idx ON license_traces (license_id, created_date)`);
    await db.query(`CREATE INDEX license_traces_created_date_idx ON license_traces (created_date)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE license_traces');
    await db.query('DROP TABLE license_tokens');
    await db.query('DROP TABLE licenses');
    await db.query('DROP TABLE license_templates');
  }
}
