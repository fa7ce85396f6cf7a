import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { Principal, isAdministrator } from '../../common/auth';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { assertRowExists } from '../../database/existing-rows';
import { UserEntity } from './user.entity';
import {
  GetUserSettingsResponse,
  InsertUserSettingResponse,
  UpdateUserSettingResponse,
  UserSettingDto,
} from './users.dto';
import { toUserSettingDto } from './users.mapper';
import { USER_SETTING_QUERY } from './users.query';
import { UsersRepository } from './users.repository';

/** A user's own preferences: the user and administrators may read and change them. */
@Injectable()
export class UserSettingsService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly users: UsersRepository,
  ) {}

  async list(userId: string, options: QueryOptions, principal: Principal): Promise<Payload<GetUserSettingsResponse>> {
    await this.assertAccess(userId, principal);
    const { items, total, nextCursor } = await listPage(USER_SETTING_QUERY, options, {
      read: () => this.users.findSettingPage(options, { userId }),
      toDtos: (settings) => settings.map(toUserSettingDto),
    });
    return { settings: items, totalSettingsCount: total, nextCursor };
  }

  async insert(
    userId: string,
    input: UserSettingDto,
    principal: Principal,
  ): Promise<Payload<InsertUserSettingResponse>> {
    await this.assertAccess(userId, principal);
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('setting.name is required');
    const category = input.category ?? '';
    if (await this.users.settingExists({ userId, category, name })) {
      throw ApiException.conflict(
        `The setting "${name}" already exists in category "${category}" for this user`,
        ErrorCode.Duplicate,
      );
    }
    const saved = await this.users.saveSetting(
      this.users.newSetting({
        userId,
        category,
        name,
        group: input.group ?? null,
        value: input.value ?? null,
        type: input.type ?? null,
        description: input.description ?? null,
        readOnly: input.readOnly ?? false,
      }),
    );
    return { settingId: saved.id };
  }

  async update(
    userId: string,
    input: UserSettingDto,
    principal: Principal,
  ): Promise<Payload<UpdateUserSettingResponse>> {
    await this.assertAccess(userId, principal);
    if (!input.id) throw ApiException.badRequest('setting.id is required to update a setting');
    const setting = await this.users.findSetting({ userId, settingId: input.id });
    if (!setting) throw ApiException.notFound(`Setting ${input.id} does not exist for user ${userId}`);
    if (setting.readOnly && !isAdministrator(principal))
      throw ApiException.forbidden(`Setting "${setting.name}" is read-only`);
    copyPresent(setting, input, ['group', 'name', 'value', 'type', 'description', 'readOnly']);
    // No category is the empty category, as on insert.
    copyPresent(setting, input, ['category'], { convert: (category) => category ?? '' });
    await this.users.saveSetting(setting);
    return { settingsId: setting.id };
  }

  async delete(userId: string, settingId: number, principal: Principal): Promise<void> {
    await this.assertAccess(userId, principal);
    const setting = await this.users.findSetting({ userId, settingId });
    if (!setting) throw ApiException.notFound(`Setting ${settingId} does not exist for user ${userId}`);
    if (setting.readOnly && !isAdministrator(principal))
      throw ApiException.forbidden(`Setting "${setting.name}" is read-only`);
    const record = { action: 'userSetting.deleted', entityType: 'userSetting', entityId: settingId };
    await this.audit.recordIf(record, (manager) => this.users.deleteSetting(settingId, manager));
  }

  private async assertAccess(userId: string, principal: Principal): Promise<void> {
    if (!isAdministrator(principal) && principal.userId !== userId)
      throw ApiException.forbidden("Only administrators may manage another user's settings");
    await assertRowExists(this.users.manager, UserEntity, userId, 'User');
  }
}
