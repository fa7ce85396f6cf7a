import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Role } from '../../common/auth';
import { Page, PageOptions, findPage } from '../../common/query';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { UserSettingEntity } from './user-setting.entity';
import { UserEntity } from './user.entity';
import { USER_QUERY, USER_SETTING_QUERY } from './users.query';

/** A user's setting is unique by category and name. */
export interface UserSettingKey {
  userId: string;
  category: string;
  name: string;
}

/** The queries of the user aggregate: users, their role memberships and their own settings. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(UserSettingEntity) private readonly settings: Repository<UserSettingEntity>,
  ) {}

  /** The manager of the default connection, for the shared checks that take one (assertRowExists). */
  get manager(): EntityManager {
    return this.users.manager;
  }

  /** Every user, or those holding one of `roleIds`. */
  findPage(options: PageOptions, scope: { roleIds?: string[] } = {}): Promise<Page<UserEntity>> {
    const qb = this.users.createQueryBuilder('usr');
    if (scope.roleIds) {
      qb.andWhere('EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = usr.id AND ur.role_id IN (:...roleIds))', {
        roleIds: scope.roleIds,
      });
    }
    return findPage(qb, 'usr', USER_QUERY, options);
  }

  /** The user with its roles loaded; `userId` must be a UUID. */
  findWithRoles(userId: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id: userId }, relations: { roles: true } });
  }

  /** Whether a user has this name, without regard to case. */
  isUserNameTaken(userName: string): Promise<boolean> {
    return this.users
      .createQueryBuilder('usr')
      .where('lower(usr.userName) = lower(:userName)', { userName })
      .getExists();
  }

  /** The id of the user with this name, without regard to case. */
  async findIdByUserName(userName: string): Promise<string | undefined> {
    const row = await this.users
      .createQueryBuilder('usr')
      .select('usr.id', 'id')
      .where('lower(usr.userName) = lower(:userName)', { userName })
      .getRawOne<{ id: string }>();
    return row?.id;
  }

  /** The stored hash, a column entities leave out unless asked for. */
  async findPasswordHash(userId: string): Promise<string> {
    const row = await this.users
      .createQueryBuilder('usr')
      .addSelect('usr.passwordHash')
      .where('usr.id = :userId', { userId })
      .getOneOrFail();
    return row.passwordHash;
  }

  newUser(values: Partial<UserEntity>): UserEntity {
    return this.users.create(values);
  }

  /** Saves the user and its role memberships. */
  save(user: UserEntity, manager: EntityManager = this.users.manager): Promise<UserEntity> {
    return manager.getRepository(UserEntity).save(user);
  }

  async delete(manager: EntityManager, userId: string): Promise<void> {
    await manager.getRepository(UserEntity).delete({ id: userId });
  }

  /**
   * The ids of the administrators, their membership rows locked until the transaction ends, so two
   * concurrent removals of administrators cannot both see another one left.
   */
  async lockAdministrators(manager: EntityManager): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await manager.query(
      `SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = $1 FOR UPDATE OF ur`,
      [Role.Administrator],
    );
    return rows.map((row) => row.user_id);
  }

  /** The role names of these users, by name. */
  findRoleNamesOfUsers(userIds: string[]): Promise<Array<{ userId: string; name: string }>> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.users.query(
      'SELECT ur.user_id AS "userId", r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ANY($1) ORDER BY r.name',
      [userIds],
    );
  }

  /** The API keys these users own, in id order. */
  findApiKeysOfUsers(userIds: string[]): Promise<ApiKeyEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.users.manager.find(ApiKeyEntity, { where: { ownerId: In(userIds) }, order: { id: 'ASC' } });
  }

  /** The settings of these users, in id order. */
  findSettingsOfUsers(userIds: string[]): Promise<UserSettingEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.settings.find({ where: { userId: In(userIds) }, order: { id: 'ASC' } });
  }

  findSettingPage(options: PageOptions, scope: { userId: string }): Promise<Page<UserSettingEntity>> {
    const qb = this.settings.createQueryBuilder('setting').where('setting.userId = :userId', { userId: scope.userId });
    return findPage(qb, 'setting', USER_SETTING_QUERY, options);
  }

  settingExists({ userId, category, name }: UserSettingKey): Promise<boolean> {
    return this.settings.existsBy({ userId, category, name });
  }

  /** A setting only under its own user. */
  findSetting({ userId, settingId }: { userId: string; settingId: number }): Promise<UserSettingEntity | null> {
    return this.settings.findOneBy({ id: settingId, userId });
  }

  newSetting(values: Partial<UserSettingEntity>): UserSettingEntity {
    return this.settings.create(values);
  }

  saveSetting(setting: UserSettingEntity): Promise<UserSettingEntity> {
    return this.settings.save(setting);
  }

  /** False when there was no such setting. */
  async deleteSetting(settingId: number, manager: EntityManager = this.settings.manager): Promise<boolean> {
    const result = await manager.delete(UserSettingEntity, { id: settingId });
    return Boolean(result.affected);
  }
}
