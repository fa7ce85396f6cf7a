import { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1764300000000 implements MigrationInterface {
  name = 'Identity1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE roles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar(64) NOT NULL UNIQUE,
      description varchar(512)
    )`);
    await db.query(`INSERT INTO roles (name, description) VALUES
      ('Administrator', 'Full access to every area'),
      ('LicenseManager', 'Manages licenses, templates, tokens, traces, products, releases and assemblies'),
      ('Sales', 'Manages customers, contacts and orders; issues licenses'),
      ('Customer', 'A customer account; no management access'),
      ('Application', 'A client application; no management access')`);

    await db.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_name varchar(128) NOT NULL,
      email varchar(256),
      phone_number varchar(64),
      title varchar(64),
      first_name varchar(128),
      last_name varchar(128),
      department varchar(128),
      birth_date timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      last_dismiss_messages timestamptz,
      last_log_in timestamptz,
      rank int NOT NULL DEFAULT 0,
      image text,
      address varchar(512),
      postal_code varchar(32),
      region varchar(128),
      city varchar(128),
      country varchar(128),
      country_code varchar(8),
      mobile varchar(64),
      notes text,
      customer_id int,
      password_hash varchar(256) NOT NULL,
      failed_login_count int NOT NULL DEFAULT 0,
      locked_until timestamptz
    )`);
    await db.query(`CREATE UNIQUE INDEX users_user_name_unique ON users (lower(user_name))`);
    await db.query(`CREATE INDEX users_customer_id_idx ON users (customer_id)`);
    await db.query(`CREATE INDEX users_created_at_idx ON users (created_at)`);

    await db.query(`CREATE TABLE user_roles (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
      PRIMARY KEY (user_id, role_id)
    )`);
    await db.query(`CREATE INDEX user_roles_role_id_idx ON user_roles (role_id)`);

    await db.query(`CREATE TABLE user_settings (
      id serial PRIMARY KEY,
      category varchar(128) NOT NULL DEFAULT '',
      "group" varchar(128),
      name varchar(128) NOT NULL,
      value text,
      type varchar(64),
      description varchar(512),
      read_only boolean NOT NULL DEFAULT false,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE
    )`);
    await db.query(
      `CREATE UNIQUE INDEX user_settings_user_category_name_unique ON user_settings (user_id, category, name)`,
    );

    await db.query(`CREATE TABLE api_keys (
      id serial PRIMARY KEY,
      name varchar(128) NOT NULL,
      key_hash char(64) NOT NULL UNIQUE,
      key_hint varchar(32) NOT NULL,
      created_date timestamptz NOT NULL DEFAULT now(),
      expire_date timestamptz,
      owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      revoked boolean NOT NULL DEFAULT false,
      permissions smallint NOT NULL DEFAULT 15 CHECK (permissions BETWEEN 0 AND 15),
      description varchar(512)
    )`);
    await db.query(`CREATE INDEX api_keys_owner_id_idx ON api_keys (owner_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE api_keys');
    await db.query('DROP TABLE user_settings');
    await db.query('DROP TABLE user_roles');
    await db.query('DROP TABLE users');
    await db.query('DROP TABLE roles');
  }
}
