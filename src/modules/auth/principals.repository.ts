import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '../../common/auth';
import { RoleEntity } from '../roles/role.entity';
import { UserEntity } from '../users/user.entity';

/** A user with one of its roles per row (null for a user without roles). */
export interface UserRoleRow {
  user_name: string;
  role: string | null;
}

/** An API key with its owner and one of the owner's roles per row. */
export interface ApiKeyRoleRow extends UserRoleRow {
  id: number;
  revoked: boolean;
  expire_date: Date | null;
  permissions: number;
  owner_id: string;
}

/** What requests are authenticated as: users and API keys with their roles, one query each; the first administrator. */
@Injectable()
export class PrincipalsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** No rows when there is no such user. */
  findUserRoles(userId: string): Promise<UserRoleRow[]> {
    return this.dataSource.query(
      `SELECT u.user_name, r.name AS role FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id WHERE u.id = $1`,
      [userId],
    );
  }

  /** No rows when no key has this hash. */
  findApiKeyRoles(keyHash: string): Promise<ApiKeyRoleRow[]> {
    return this.dataSource.query(
      `SELECT k.id, k.revoked, k.expire_date, k.permissions, k.owner_id, u.user_name, r.name AS role
         FROM api_keys k JOIN users u ON u.id = k.owner_id
         LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id
        WHERE k.key_hash = $1`,
      [keyHash],
    );
  }

  /** Serialises the first-start check between instances until the transaction ends. */
  async lockAdministratorCreation(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['licensing:create-admin']);
  }

  hasUsers(manager: EntityManager): Promise<boolean> {
    return manager.getRepository(UserEntity).exists();
  }

  /** A user holding the seeded Administrator role. */
  async insertAdministrator(
    manager: EntityManager,
    administrator: Pick<UserEntity, 'userName' | 'email' | 'firstName' | 'passwordHash'>,
  ): Promise<void> {
    const role = await manager.getRepository(RoleEntity).findOneByOrFail({ name: Role.Administrator });
    const users = manager.getRepository(UserEntity);
    await users.save(users.create({ ...administrator, roles: [role] }));
  }
}
