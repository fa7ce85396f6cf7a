import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { Principal, Role, hashPassword, isAdministrator, verifyPassword } from '../../common/auth';
import { ApiException, ErrorCode } from '../../common/errors';
import { defineQueryEntity, QueryOptions, findPage, parseInclude, parseSelect, pickFields } from '../../common/query';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { API_KEY_QUERY } from '../api-keys/api-keys.query';
import { PrincipalCache } from '../auth/principal-cache';
import { CustomersService } from '../customers/customers.service';
import { RoleEntity } from '../roles/role.entity';
import { ROLE_QUERY, RolesService } from '../roles/roles.service';
import { UserSettingEntity } from './user-setting.entity';
import { UserEntity } from './user.entity';
import { GetUsersResponse, InsertUserRequest, InsertUserResponse, UpdateUserRequest, UserDto } from './users.dto';
import { toUserDto } from './users.mapper';
import { USER_SETTING_QUERY } from './user-settings.service';

export const USER_QUERY = defineQueryEntity({
  name: 'User',
  fields: {
    id: { type: 'uuid' },
    userName: { type: 'string' },
    email: { type: 'string' },
    phoneNumber: { type: 'string' },
    title: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    department: { type: 'string' },
    birthDate: { type: 'date' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    lastDismissMessages: { type: 'date' },
    lastLogIn: { type: 'date' },
    rank: { type: 'number' },
    image: { type: 'string', filterable: false, sortable: false },
    address: { type: 'string' },
    postalCode: { type: 'string' },
    region: { type: 'string' },
    city: { type: 'string' },
    country: { type: 'string' },
    countryCode: { type: 'string' },
    mobile: { type: 'string' },
    notes: { type: 'string', sortable: false },
    customerId: { type: 'number' },
  },
  relations: {
    roles: { target: () => ROLE_QUERY, many: true },
    apiKeys: { target: () => API_KEY_QUERY, many: true },
    settings: { target: () => USER_SETTING_QUERY, many: true },
  },
});

/** Members a user may change on their own account; the rest needs an administrator. */
const PROFILE_FIELDS = [
  'email',
  'phoneNumber',
  'title',
  'firstName',
  'lastName',
  'department',
  'birthDate',
  'lastDismissMessages',
  'image',
  'address',
  'postalCode',
  'region',
  'city',
  'country',
  'countryCode',
  'mobile',
  'notes',
] as const;
const ADMIN_FIELDS = ['userName', 'rank', 'customerId'] as const;
const DATE_FIELDS = new Set(['birthDate', 'lastDismissMessages']);

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly roles: RolesService,
    private readonly customers: CustomersService,
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalCache,
  ) {}

  async list(options: QueryOptions, roleNames?: string): Promise<GetUsersResponse> {
    const select = parseSelect(USER_QUERY, options.select);
    const include = parseInclude(USER_QUERY, options.include);
    const qb = this.users.createQueryBuilder('usr');
    if (roleNames?.trim()) {
      const roleIds = (await this.roles.resolveNames(roleNames)).map((role) => role.id);
      qb.andWhere('EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = usr.id AND ur.role_id IN (:...roleIds))', {
        roleIds,
      });
    }
    const { items, total } = await findPage(qb, 'usr', USER_QUERY, options);
    const related = await this.loadRelated(
      items.map((user) => user.id),
      include,
    );
    const users = items.map((user) =>
      pickFields(
        toUserDto(user, {
          roles: related.roles?.get(user.id) ?? (related.roles ? [] : undefined),
          apiKeys: related.apiKeys ? (related.apiKeys.get(user.id) ?? []) : undefined,
          settings: related.settings ? (related.settings.get(user.id) ?? []) : undefined,
        }),
        select,
      ),
    );
    return { users, totalUsersCount: total } as GetUsersResponse;
  }

  async insert(request: InsertUserRequest): Promise<InsertUserResponse> {
    const input = request.user;
    const userName = input.userName?.trim();
    if (!userName) throw ApiException.badRequest('user.userName is required');
    await this.assertUserNameFree(userName);
    const roles = input.roles?.length ? await this.roles.resolveNames(input.roles) : [];
    if (input.customerId) await this.customers.assertExists(input.customerId, 'user.customerId');
    const user = this.users.create({ userName, passwordHash: await hashPassword(request.password), roles });
    this.applyFields(user, input, [...PROFILE_FIELDS, 'rank', 'customerId']);
    const saved = await this.users.save(user);
    return { userId: saved.id } as InsertUserResponse;
  }

  async update(request: UpdateUserRequest, principal: Principal): Promise<void> {
    const input = request.user;
    if (!input.id) throw ApiException.badRequest('user.id is required to update a user');
    const admin = isAdministrator(principal);
    if (!admin && input.id !== principal.userId) throw ApiException.forbidden('You may only update your own account');
    const user = await this.findOrFail(input.id);

    if (!admin) {
      const forbidden = [...ADMIN_FIELDS, 'roles' as const].filter(
        (field) => input[field] !== undefined && !this.sameValue(user, field, input[field]),
      );
      if (forbidden.length) throw ApiException.forbidden(`Only an administrator can change ${forbidden.join(', ')}`);
    }
    if (input.userName !== undefined && input.userName.trim().toLowerCase() !== user.userName.toLowerCase()) {
      await this.assertUserNameFree(input.userName.trim());
    }
    if (admin && input.customerId && input.customerId !== user.customerId)
      await this.customers.assertExists(input.customerId, 'user.customerId');
    this.applyFields(user, input, admin ? [...PROFILE_FIELDS, ...ADMIN_FIELDS] : PROFILE_FIELDS);

    if (request.newPassword) {
      if (!admin) {
        if (!request.currentPassword)
          throw ApiException.badRequest(
            'currentPassword is required to change your password',
            ErrorCode.PasswordChangeRequiresCurrentPassword,
          );
        if (!(await verifyPassword(await this.passwordHashOf(user.id), request.currentPassword))) {
          throw ApiException.forbidden(
            'currentPassword is not correct',
            ErrorCode.PasswordChangeRequiresCurrentPassword,
          );
        }
      }
      user.passwordHash = await hashPassword(request.newPassword);
      user.failedLoginCount = 0;
      user.lockedUntil = null;
    }

    await this.dataSource.transaction(async (manager) => {
      if (admin && input.roles) {
        const roles: RoleEntity[] = input.roles.length ? await this.roles.resolveNames(input.roles) : [];
        if (
          !roles.some((role) => role.name === Role.Administrator) &&
          user.roles.some((role) => role.name === Role.Administrator)
        ) {
          await this.assertNotLastAdministrator(user.id, manager.getRepository(UserEntity));
        }
        user.roles = roles;
      }
      await manager.getRepository(UserEntity).save(user);
    });
    // Every instance hears of name and role changes through NOTIFY; clearing here too means this instance's next request never races that.
    this.principals.clear();
  }

  async delete(userId: string, principal: Principal): Promise<void> {
    const user = await this.findOrFail(userId);
    if (user.id === principal.userId)
      throw ApiException.conflict('You cannot delete your own account', ErrorCode.InUse);
    await this.dataSource.transaction(async (manager) => {
      await this.assertNotLastAdministrator(user.id, manager.getRepository(UserEntity));
      await manager.getRepository(UserEntity).delete({ id: user.id });
    });
    this.principals.clear();
  }

  async findOrFail(userId: string): Promise<UserEntity> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) throw ApiException.notFound(`User ${userId} does not exist`);
    const user = await this.users.findOne({ where: { id: userId }, relations: { roles: true } });
    if (!user) throw ApiException.notFound(`User ${userId} does not exist`);
    return user;
  }

  async addRoles(userId: string, roleNames: string): Promise<void> {
    const user = await this.findOrFail(userId);
    const roles = await this.roles.resolveNames(roleNames);
    const known = new Set(user.roles.map((role) => role.id));
    user.roles.push(...roles.filter((role) => !known.has(role.id)));
    await this.users.save(user);
    this.principals.clear();
  }

  async removeRoles(userId: string, roleNames: string): Promise<void> {
    const user = await this.findOrFail(userId);
    const removing = new Set((await this.roles.resolveNames(roleNames)).map((role) => role.id));
    await this.dataSource.transaction(async (manager) => {
      if (user.roles.some((role) => role.name === Role.Administrator && removing.has(role.id))) {
        await this.assertNotLastAdministrator(user.id, manager.getRepository(UserEntity));
      }
      user.roles = user.roles.filter((role) => !removing.has(role.id));
      await manager.getRepository(UserEntity).save(user);
    });
    this.principals.clear();
  }

  /** Locks the administrators' membership rows so two concurrent removals cannot both pass the check. */
  private async assertNotLastAdministrator(userId: string, users: Repository<UserEntity>): Promise<void> {
    const admins: Array<{ user_id: string }> = await users.query(
      `SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = $1 FOR UPDATE OF ur`,
      [Role.Administrator],
    );
    if (admins.some((row) => row.user_id === userId) && admins.length <= 1) {
      throw ApiException.conflict(
        'This is the last administrator; make another user an administrator first',
        ErrorCode.InUse,
      );
    }
  }

  private async passwordHashOf(userId: string): Promise<string> {
    const row = await this.users
      .createQueryBuilder('usr')
      .addSelect('usr.passwordHash')
      .where('usr.id = :userId', { userId })
      .getOneOrFail();
    return row.passwordHash;
  }

  private async assertUserNameFree(userName: string): Promise<void> {
    const taken = await this.users
      .createQueryBuilder('usr')
      .where('lower(usr.userName) = lower(:userName)', { userName })
      .getExists();
    if (taken) throw ApiException.conflict(`The user name "${userName}" is already taken`, ErrorCode.Duplicate);
  }

  private applyFields(user: UserEntity, input: UserDto, fields: readonly string[]): void {
    for (const field of fields) {
      const value = (input as Record<string, unknown>)[field];
      if (value === undefined) continue;
      (user as unknown as Record<string, unknown>)[field] =
        DATE_FIELDS.has(field) && value !== null ? new Date(value as string) : value;
    }
  }

  private sameValue(user: UserEntity, field: string, value: unknown): boolean {
    if (field === 'roles') {
      const current = user.roles.map((role) => role.name.toLowerCase()).sort();
      const wanted = ((value as string[] | null) ?? []).map((name) => name.toLowerCase()).sort();
      return current.join(',') === wanted.join(',');
    }
    if (field === 'userName') return String(value).trim().toLowerCase() === user.userName.toLowerCase();
    return (user as unknown as Record<string, unknown>)[field] === value;
  }

  private async loadRelated(userIds: string[], include: string[]) {
    const result: {
      roles?: Map<string, string[]>;
      apiKeys?: Map<string, ApiKeyEntity[]>;
      settings?: Map<string, UserSettingEntity[]>;
    } = {};
    if (!userIds.length)
      return {
        roles: include.includes('roles') ? new Map() : undefined,
        apiKeys: include.includes('apiKeys') ? new Map() : undefined,
        settings: include.includes('settings') ? new Map() : undefined,
      };
    if (include.includes('roles')) {
      const rows: Array<{ user_id: string; name: string }> = await this.users.query(
        'SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ANY($1) ORDER BY r.name',
        [userIds],
      );
      result.roles = groupBy(
        rows,
        (row) => row.user_id,
        (row) => row.name,
      );
    }
    if (include.includes('apiKeys')) {
      const keys = await this.dataSource
        .getRepository(ApiKeyEntity)
        .find({ where: { ownerId: In(userIds) }, order: { id: 'ASC' } });
      result.apiKeys = groupBy(
        keys,
        (key) => key.ownerId,
        (key) => key,
      );
    }
    if (include.includes('settings')) {
      const settings = await this.dataSource
        .getRepository(UserSettingEntity)
        .find({ where: { userId: In(userIds) }, order: { id: 'ASC' } });
      result.settings = groupBy(
        settings,
        (setting) => setting.userId,
        (setting) => setting,
      );
    }
    return result;
  }
}

function groupBy<T, V>(rows: T[], key: (row: T) => string, value: (row: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    list.push(value(row));
    groups.set(key(row), list);
  }
  return groups;
}
