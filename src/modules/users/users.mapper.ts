import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { toApiKeyDto } from '../api-keys/api-keys.mapper';
import { UserSettingEntity } from './user-setting.entity';
import { UserEntity } from './user.entity';
import { UserDto, UserSettingDto } from './users.dto';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function toUserSettingDto(setting: UserSettingEntity): UserSettingDto {
  return {
    id: setting.id,
    category: setting.category,
    group: setting.group,
    name: setting.name,
    value: setting.value,
    type: setting.type,
    description: setting.description,
    readOnly: setting.readOnly,
    userId: setting.userId,
  };
}

/** Never carries the password hash or lockout state; relations only when they were loaded. */
export function toUserDto(
  user: UserEntity,
  related: { roles?: string[]; apiKeys?: ApiKeyEntity[]; settings?: UserSettingEntity[] } = {},
): UserDto {
  const dto: UserDto = {
    id: user.id,
    userName: user.userName,
    email: user.email,
    phoneNumber: user.phoneNumber,
    title: user.title,
    firstName: user.firstName,
    lastName: user.lastName,
    department: user.department,
    birthDate: iso(user.birthDate),
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
    lastDismissMessages: iso(user.lastDismissMessages),
    lastLogIn: iso(user.lastLogIn),
    rank: user.rank,
    image: user.image,
    address: user.address,
    postalCode: user.postalCode,
    region: user.region,
    city: user.city,
    country: user.country,
    countryCode: user.countryCode,
    mobile: user.mobile,
    notes: user.notes,
    customerId: user.customerId,
  };
  if (related.roles) dto.roles = related.roles;
  if (related.apiKeys) dto.apiKeys = related.apiKeys.map(toApiKeyDto);
  if (related.settings) dto.settings = related.settings.map(toUserSettingDto);
  return dto;
}
