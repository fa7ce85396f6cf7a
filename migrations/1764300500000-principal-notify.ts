import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that can alter who an API key or a user is (revoked or expiring keys, permissions,
 * deleted users, renamed users, granted or removed roles) notifies `licensing_principals`, so each
 * instance empties its principal cache (src/modules/auth/principal-listener.ts). NOTIFY is delivered
 * at commit, once the change is visible. Statement-level triggers: one notification per statement,
 * and PostgreSQL folds repeats within a transaction.
 *
 * users only notifies on a change of user_name: logins write last_log_in and failed_login_count and
 * must not empty the cache. Inserted API keys and users need nothing: a key or user that did not exist
 * was never cached.
 */
export class PrincipalNotify1764300500000 implements MigrationInterface {
  name = 'PrincipalNotify1764300500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE FUNCTION notify_licensing_principals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('licensing_principals', '');
        RETURN NULL;
      END
    $$`);
    await db.query(`CREATE TRIGGER api_keys_notify_principals AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
      FOR EACH STATEMENT EXECUTE FUNCTION notify_licensing_principals()`);
    await db.query(`CREATE TRIGGER users_notify_principals AFTER UPDATE OF user_name OR DELETE OR TRUNCATE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION notify_licensing_principals()`);
    await db.query(`CREATE TRIGGER user_roles_notify_principals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles
      FOR EACH STATEMENT EXECUTE FUNCTION notify_licensing_principals()`);
    await db.query(`CREATE TRIGGER roles_notify_principals AFTER UPDATE OR DELETE OR TRUNCATE ON roles
      FOR EACH STATEMENT EXECUTE FUNCTION notify_licensing_principals()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER roles_notify_principals ON roles');
    await db.query('DROP TRIGGER user_roles_notify_principals ON user_roles');
    await db.query('DROP TRIGGER users_notify_principals ON users');
    await db.query('DROP TRIGGER api_keys_notify_principals ON api_keys');
    await db.query('DROP FUNCTION notify_licensing_principals()');
  }
}
