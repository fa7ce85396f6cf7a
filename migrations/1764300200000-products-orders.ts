import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue (products, their releases, assemblies linked to releases) and commerce (orders and
 * their lines). Runs after 1764300100000, which creates `customers` and `resources`.
 *
 * Business records are never removed by a cascade: a product with releases or order lines, and a
 * customer with orders, are protected by RESTRICT. Only what belongs to its owner goes with it:
 * order lines with their order, release–assembly links with their release or assembly.
 */
export class ProductsOrders1764300200000 implements MigrationInterface {
  name = 'ProductsOrders1764300200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE products (
      id serial PRIMARY KEY,
      code varchar(64),
      name varchar(256) NOT NULL,
      description text,
      url varchar(1024),
      copyright varchar(512),
      created_at timestamptz NOT NULL DEFAULT now(),
      image text,
      price numeric(18,4),
      reseller_price numeric(18,4),
      currency varchar(8),
      signature_keys_id int REFERENCES resources(id) ON DELETE RESTRICT,
      meta text
    )`);
    await db.query(`CREATE UNIQUE INDEX products_code_unique ON products (lower(code)) WHERE code IS NOT NULL`);
    await db.query(`CREATE INDEX products_name_idx ON products (name)`);
    await db.query(`CREATE INDEX products_created_at_idx ON products (created_at)`);
    await db.query(`CREATE INDEX products_signature_keys_id_idx ON products (signature_keys_id)`);

    await db.query(`CREATE TABLE product_releases (
      id serial PRIMARY KEY,
      product_id int NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
      release_date timestamptz,
      name varchar(256),
      version varchar(64),
      description text
    )`);
    await db.query(`CREATE INDEX product_releases_product_id_idx ON product_releases (product_id)`);
    await db.query(`CREATE INDEX product_releases_release_date_idx ON product_releases (release_date)`);

    await db.query(`CREATE TABLE assemblies (
      id serial PRIMARY KEY,
      name varchar(256) NOT NULL,
      version varchar(64),
      culture varchar(64),
      public_key_token varchar(64),
      mapping_file_id int REFERENCES resources(id) ON DELETE SET NULL,
      debug_symbols_key varchar(256)
    )`);
    await db.query(`CREATE INDEX assemblies_name_idx ON assemblies (name)`);
    await db.query(`CREATE INDEX assemblies_mapping_file_id_idx ON assemblies (mapping_file_id)`);

    await db.query(`CREATE TABLE release_assemblies (
      release_id int NOT NULL REFERENCES product_releases(id) ON DELETE CASCADE,
      assembly_id int NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
      PRIMARY KEY (release_id, assembly_id)
    )`);
    await db.query(`CREATE INDEX release_assemblies_assembly_id_idx ON release_assemblies (assembly_id)`);

    await db.query(`CREATE TABLE orders (
      id serial PRIMARY KEY,
      order_number varchar(64) NOT NULL,
      status varchar(64),
      processed_by varchar(128),
      purchase_order varchar(128),
      total numeric(18,4) NOT NULL DEFAULT 0,
      currency varchar(8),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      invoice_number varchar(64),
      payment_type varchar(64),
      payment_number varchar(128),
      payment_status varchar(64),
      payment_date timestamptz,
      description text,
      customer_id int NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
      reseller_id int REFERENCES customers(id) ON DELETE RESTRICT
    )`);
    await db.query(`CREATE UNIQUE INDEX orders_order_number_unique ON orders (lower(order_number))`);
    await db.query(`CREATE INDEX orders_customer_id_idx ON orders (customer_id)`);
    await db.query(`CREATE INDEX orders_reseller_id_idx ON orders (reseller_id)`);
    await db.query(`CREATE INDEX orders_created_at_idx ON orders (created_at)`);
    await db.query(`CREATE INDEX orders_status_idx ON orders (status)`);
    await db.query(`CREATE INDEX orders_total_idx ON orders (total)`);

    await db.query(`CREATE TABLE order_products (
      order_id int NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      product_id int NOT NULL REFERENCES products(id) ON DELETE RESTRICT,
      quantity int NOT NULL DEFAULT 1 CHECK (quantity >= 0),
      unit_price numeric(18,4) NOT NULL DEFAULT 0 CHECK (unit_price >= 0),
      discount numeric(9,4) NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= 100),
      taxes numeric(9,4) NOT NULL DEFAULT 0 CHECK (taxes >= 0 AND taxes <= 1000),
      description text,
      PRIMARY KEY (order_id, product_id)
    )`);
    await db.query(`CREATE INDEX order_products_product_id_idx ON order_products (product_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE order_products');
    await db.query('DROP TABLE orders');
    await db.query('DROP TABLE release_assemblies');
    await db.query('DROP TABLE assemblies');
    await db.query('DROP TABLE product_releases');
    await db.query('DROP TABLE products');
  }
}
