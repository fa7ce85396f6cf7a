import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Principal, isAdministrator } from '../../common/auth';
import { ApiException, ErrorCode } from '../../common/errors';
import { defineQueryEntity, QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { UserSettingEntity } from './user-setting.entity';
import { UserEntity } from './user.entity';
import { GetUserSettingsResponse, UserSettingDto } from './users.dto';
import { toUserSettingDto } from './users.mapper';
import { assertRowExists } from '../../database/existing-rows';

export const USER_SETTING_QUERY = defineQueryEntity({
  name: 'UserSetting',
  fields: {
    id: { type: 'number' },
    category: { type: 'string' },
    group: { type: 'string' },
    name: { type: 'string' },
    value: { type: 'string' },
    type: { type: 'string' },
    description: { type: 'string' },
    readOnly: { type: 'boolean' },
    userId: { type: 'uuid' },
  },
});

/** A user's own preferences: the user and administrators may read and change them. */
@Injectable()
export class UserSettingsService {
  constructor(
    @InjectRepository(UserSettingEntity) private readonly settings: Repository<UserSettingEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  async list(userId: string, options: QueryOptions, principal: Principal): Promise<GetUserSettingsResponse> {
    await this.assertAccess(userId, principal);
    const select = parseSelect(USER_SETTING_QUERY, options.select);
    const qb = this.settings.createQueryBuilder('setting').where('setting.userId = :userId', { userId });
    const { items, total } = await findPage(qb, 'setting', USER_SETTING_QUERY, options);
    return {
      settings: items.map((setting) => pickFields(toUserSettingDto(setting), select)),
      totalSettingsCount: total,
    } as GetUserSettingsResponse;
  }

  async insert(userId: string, input: UserSettingDto, principal: Principal): Promise<number> {
    await this.assertAccess(userId, principal);
    const name = input.name?.trim();
    if (!name) throw ApiException.badRequest('setting.name is required');
    const category = input.category ?? '';
    if (await this.settings.existsBy({ userId, category, name })) {
      throw ApiException.conflict(
        `The setting "${name}" already exists in category "${category}" for this user`,
        ErrorCode.Duplicate,
      );
    }
    const saved = await this.settings.save(
      this.settings.create({
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
    return saved.id;
  }

  async update(userId: string, input: UserSettingDto, principal: Principal): Promise<number> {
    await this.assertAccess(userId, principal);
    if (!input.id) throw ApiException.badRequest('setting.id is required to update a setting');
    const setting = await this.settings.findOneBy({ id: input.id, userId });
    if (!setting) throw ApiException.notFound(`Setting ${input.id} does not exist for user ${userId}`);
    if (setting.readOnly && !isAdministrator(principal))
      throw ApiException.forbidden(`Setting "${setting.name}" is read-only`);
    for (const field of ['category', 'group', 'name', 'value', 'type', 'description', 'readOnly'] as const) {
      if (input[field] !== undefined)
        (setting as unknown as Record<string, unknown>)[field] =
          field === 'category' ? (input.category ?? '') : input[field];
    }
    await this.settings.save(setting);
    return setting.id;
  }

  async delete(userId: string, settingId: number, principal: Principal): Promise<void> {
    await this.assertAccess(userId, principal);
    const setting = await this.settings.findOneBy({ id: settingId, userId });
    if (!setting) throw ApiException.notFound(`Setting ${settingId} does not exist for user ${userId}`);
    if (setting.readOnly && !isAdministrator(principal))
      throw ApiException.forbidden(`Setting "${setting.name}" is read-only`);
    await this.settings.delete({ id: settingId });
  }

  private async assertAccess(userId: string, principal: Principal): Promise<void> {
    if (!isAdministrator(principal) && principal.userId !== userId)
      throw ApiException.forbidden("Only administrators may manage another user's settings");
    await assertRowExists(this.users.manager, UserEntity, userId, 'User');
  }
}
