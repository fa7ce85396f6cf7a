import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, PrincipalCache, Role, hashPassword, isAdministrator, verifyPassword } from '../../common/auth';
import { copyPresent, toDateOrNull } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { isUuid } from '../../common/uuid';
import { CustomersService } from '../customers/customers.service';
import { RoleEntity } from '../roles/role.entity';
import { RolesService } from '../roles/roles.service';
import { UserEntity } from './user.entity';
import { GetUsersResponse, InsertUserRequest, InsertUserResponse, UpdateUserRequest, UserDto } from './users.dto';
import { toUserDto } from './users.mapper';
import { USER_QUERY } from './users.query';
import { UsersRepository } from './users.repository';

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
type WritableField = (typeof PROFILE_FIELDS)[number] | (typeof ADMIN_FIELDS)[number];
/** As the API's password members declare them (users.dto.ts). */
const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;
const DATE_FIELDS: ReadonlySet<WritableField> = new Set(['birthDate', 'lastDismissMessages'] as const);

@Injectable()
export class UsersService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly users: UsersRepository,
    private readonly roles: RolesService,
    private readonly customers: CustomersService,
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalCache,
  ) {}

  /** Every user, or those holding one of `roleNames` (comma list); include may embed roles, apiKeys and settings. */
  async list(options: QueryOptions, roleNames?: string): Promise<Payload<GetUsersResponse>> {
    const { items, total, nextCursor } = await listPage(USER_QUERY, options, {
      read: async () => {
        const roleIds = roleNames?.trim()
          ? (await this.roles.resolveNames(roleNames)).map((role) => role.id)
          : undefined;
        return this.users.findPage(options, { roleIds });
      },
      toDtos: async (users, include) => {
        const related = await this.loadRelated(
          users.map((user) => user.id),
          include,
        );
        return users.map((user) =>
          toUserDto(user, {
            roles: related.roles ? (related.roles.get(user.id) ?? []) : undefined,
            apiKeys: related.apiKeys ? (related.apiKeys.get(user.id) ?? []) : undefined,
            settings: related.settings ? (related.settings.get(user.id) ?? []) : undefined,
          }),
        );
      },
    });
    return { users: items, totalUsersCount: total, nextCursor };
  }

  async insert(request: InsertUserRequest): Promise<Payload<InsertUserResponse>> {
    const input = request.user;
    const userName = input.userName?.trim();
    if (!userName) throw ApiException.badRequest('user.userName is required');
    await this.assertUserNameFree(userName);
    const roles = input.roles?.length ? await this.roles.resolveNames(input.roles) : [];
    if (input.customerId) await this.customers.assertExists(input.customerId, 'user.customerId');
    const user = this.users.newUser({ userName, passwordHash: await hashPassword(request.password), roles });
    this.applyFields(user, input, [...PROFILE_FIELDS, 'rank', 'customerId']);
    const saved = await this.users.save(user);
    return { userId: saved.id };
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
        if (!(await verifyPassword(await this.users.findPasswordHash(user.id), request.currentPassword))) {
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
          await this.assertNotLastAdministrator(manager, user.id);
        }
        user.roles = roles;
      }
      await this.users.save(user, manager);
    });
    // Every instance hears of name and role changes through NOTIFY; clearing here too means this instance's next request never races that.
    this.principals.clear();
  }

  async delete(userId: string, principal: Principal): Promise<void> {
    const user = await this.findOrFail(userId);
    if (user.id === principal.userId)
      throw ApiException.conflict('You cannot delete your own account', ErrorCode.InUse);
    await this.dataSource.transaction(async (manager) => {
      await this.assertNotLastAdministrator(manager, user.id);
      await this.users.delete(manager, user.id);
      await this.audit.record(manager, { action: 'user.deleted', entityType: 'user', entityId: user.id });
    });
    this.principals.clear();
  }

  /**
   * Sets a user's password without knowing the old one and lifts a lockout (the admin CLI, for a lost
   * administrator password). The same rules as the API: 8 to 256 characters, argon2id.
   */
  async resetPassword(userName: string, password: string): Promise<{ userId: string; userName: string }> {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
      throw ApiException.badRequest(
        `The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, got ${password.length}`,
      );
    const user = await this.findOrFail(await this.idOf(userName));
    user.passwordHash = await hashPassword(password);
    user.failedLoginCount = 0;
    user.lockedUntil = null;
    await this.users.save(user);
    this.principals.clear();
    return { userId: user.id, userName: user.userName };
  }

  /** The id of the user named `userName` (any case); 404 when there is none. */
  async idOf(userName: string): Promise<string> {
    const id = await this.users.findIdByUserName(userName.trim());
    if (!id) throw ApiException.notFound(`User "${userName}" does not exist`);
    return id;
  }

  /** 404 unless the user exists. */
  async assertExists(userId: string): Promise<void> {
    await this.findOrFail(userId);
  }

  private async findOrFail(userId: string): Promise<UserEntity> {
    const user = isUuid(userId) ? await this.users.findWithRoles(userId) : null;
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
        await this.assertNotLastAdministrator(manager, user.id);
      }
      user.roles = user.roles.filter((role) => !removing.has(role.id));
      await this.users.save(user, manager);
    });
    this.principals.clear();
  }

  /** Locks the administrators' membership rows so two concurrent removals cannot both pass the check. */
  private async assertNotLastAdministrator(manager: EntityManager, userId: string): Promise<void> {
    const admins = await this.users.lockAdministrators(manager);
    if (admins.includes(userId) && admins.length <= 1) {
      throw ApiException.conflict(
        'This is the last administrator; make another user an administrator first',
        ErrorCode.InUse,
      );
    }
  }

  private async assertUserNameFree(userName: string): Promise<void> {
    if (await this.users.isUserNameTaken(userName))
      throw ApiException.conflict(`The user name "${userName}" is already taken`, ErrorCode.Duplicate);
  }

  private applyFields(user: UserEntity, input: UserDto, fields: readonly WritableField[]): void {
    copyPresent(
      user,
      input,
      fields.filter((field) => !DATE_FIELDS.has(field)),
    );
    copyPresent(
      user,
      input,
      fields.filter((field) => DATE_FIELDS.has(field)),
      { convert: toDateOrNull },
    );
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
    const [roles, apiKeys, settings] = await Promise.all([
      include.includes('roles') ? this.users.findRoleNamesOfUsers(userIds) : undefined,
      include.includes('apiKeys') ? this.users.findApiKeysOfUsers(userIds) : undefined,
      include.includes('settings') ? this.users.findSettingsOfUsers(userIds) : undefined,
    ]);
    return {
      roles:
        roles &&
        groupBy(
          roles,
          (row) => row.userId,
          (row) => row.name,
        ),
      apiKeys:
        apiKeys &&
        groupBy(
          apiKeys,
          (key) => key.ownerId,
          (key) => key,
        ),
      settings:
        settings &&
        groupBy(
          settings,
          (setting) => setting.userId,
          (setting) => setting,
        ),
    };
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
