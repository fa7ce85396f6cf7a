import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  NestedArray,
  OptionalBoolean,
  OptionalDate,
  OptionalEmail,
  OptionalInt,
  OptionalString,
  OptionalStringArray,
  OptionalReference,
} from '../../common/dto';
import { ApiKeyDto } from '../api-keys/api-keys.dto';

@ApiSchema({ name: 'Management.UserSetting' })
export class UserSettingDto {
  @OptionalInt() id?: number;
  @OptionalString(128) category?: string | null;
  @OptionalString(128) group?: string | null;
  @OptionalString(128) name?: string;
  @OptionalString(8192) value?: string | null;
  @OptionalString(64) type?: string | null;
  @OptionalString(512) description?: string | null;
  @OptionalBoolean() readOnly?: boolean | null;
  @OptionalString(64, 'Set from the path') userId?: string | null;
}

@ApiSchema({ name: 'Management.User' })
export class UserDto {
  @OptionalString(64, 'UUID; required by update, ignored by insert') id?: string;
  @OptionalString(128) userName?: string;
  @OptionalEmail() email?: string | null;
  @OptionalString(64) phoneNumber?: string | null;
  @OptionalString(64) title?: string | null;
  @OptionalString(128) firstName?: string | null;
  @OptionalString(128) lastName?: string | null;
  @OptionalString(128) department?: string | null;
  @OptionalDate() birthDate?: string | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalDate('Set by the server') updatedAt?: string | null;
  @OptionalDate() lastDismissMessages?: string | null;
  @OptionalDate('Set by the server at login') lastLogIn?: string | null;
  @OptionalInt() rank?: number | null;
  @OptionalString(1_000_000) image?: string | null;
  @OptionalString(512) address?: string | null;
  @OptionalString(32) postalCode?: string | null;
  @OptionalString(128) region?: string | null;
  @OptionalString(128) city?: string | null;
  @OptionalString(128) country?: string | null;
  @OptionalString(8) countryCode?: string | null;
  @OptionalString(64) mobile?: string | null;
  @OptionalString(8192) notes?: string | null;
  @OptionalReference('The customer this user belongs to') customerId?: number | null;
  @OptionalStringArray(64, 'Role names; on insert and update by an administrator they set the roles') roles?:
    string[] | null;
  @NestedArray(() => ApiKeyDto, 'Embedded on read when include names apiKeys; ignored on input') apiKeys?:
    ApiKeyDto[] | null;
  @NestedArray(() => UserSettingDto, 'Embedded on read when include names settings; ignored on input') settings?:
    UserSettingDto[] | null;
}

@ApiSchema({ name: 'Management.InsertUserRequest' })
export class InsertUserRequest {
  @Nested(() => UserDto, { required: true }) user: UserDto;
  @ApiProperty({ minLength: 8, maxLength: 256 }) @IsString() @MinLength(8) @MaxLength(256) password: string;
}

@ApiSchema({ name: 'Management.UpdateUserRequest' })
export class UpdateUserRequest {
  @Nested(() => UserDto, { required: true }) user: UserDto;
  @ApiPropertyOptional({
    description: 'Needed to change your own password (administrators may omit it for other users)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  currentPassword?: string | null;
  @ApiPropertyOptional({ minLength: 8, maxLength: 256 })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  newPassword?: string | null;
}

@ApiSchema({ name: 'Management.GetUsersResponse' })
export class GetUsersResponse extends ApiListResponseDto {
  @ApiProperty({ type: [UserDto] }) users: UserDto[];
  @TotalCount() totalUsersCount: number | null;
}

@ApiSchema({ name: 'Management.InsertUserResponse' })
export class InsertUserResponse extends ApiResponseDto {
  @ApiProperty() userId: string;
}

@ApiSchema({ name: 'Management.UpdateUserResponse' })
export class UpdateUserResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteUserResponse' })
export class DeleteUserResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.GetUserSettingsResponse' })
export class GetUserSettingsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [UserSettingDto] }) settings: UserSettingDto[];
  @TotalCount() totalSettingsCount: number | null;
}

@ApiSchema({ name: 'Management.InsertUserSettingRequest' })
export class InsertUserSettingRequest {
  @Nested(() => UserSettingDto, { required: true }) setting: UserSettingDto;
}

@ApiSchema({ name: 'Management.UpdateUserSettingRequest' })
export class UpdateUserSettingRequest {
  @Nested(() => UserSettingDto, { required: true }) setting: UserSettingDto;
}

@ApiSchema({ name: 'Management.InsertUserSettingResponse' })
export class InsertUserSettingResponse extends ApiResponseDto {
  @ApiProperty() settingId: number;
}

@ApiSchema({ name: 'Management.UpdateUserSettingResponse' })
export class UpdateUserSettingResponse extends ApiResponseDto {
  @ApiProperty() settingsId: number;
}

@ApiSchema({ name: 'Management.DeleteUserSettingResponse' })
export class DeleteUserSettingResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.AddUserToRoleRequest' })
export class AddUserToRoleRequest {
  @ApiProperty({ description: 'A role name, or several separated by commas' })
  @IsString()
  @MaxLength(1024)
  roles: string;
}

@ApiSchema({ name: 'Management.RemoveUserFromRoleRequest' })
export class RemoveUserFromRoleRequest {
  @ApiProperty({ description: 'A role name, or several separated by commas' })
  @IsString()
  @MaxLength(1024)
  roles: string;
}

@ApiSchema({ name: 'Management.AddUserToRoleResponse' })
export class AddUserToRoleResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.RemoveUserFromRoleResponse' })
export class RemoveUserFromRoleResponse extends ApiResponseDto {}
