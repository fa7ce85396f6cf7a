import { Injectable } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { RoleEntity } from './role.entity';
import { GetRolesResponse, RoleDto } from './roles.dto';
import { ROLE_QUERY } from './roles.query';
import { RolesRepository } from './roles.repository';

/** Every member set: users take these as the roles they are given. */
export function toRoleDto(role: RoleEntity): Required<RoleDto> {
  return { id: role.id, name: role.name, description: role.description };
}

@Injectable()
export class RolesService {
  constructor(private readonly roles: RolesRepository) {}

  /** Every role, or the roles of `userId`. The role list embeds nothing: include is refused by name. */
  async list(options: QueryOptions, userId?: string): Promise<Payload<GetRolesResponse>> {
    const { items, total, nextCursor } = await listPage(ROLE_QUERY, options, {
      read: () => this.roles.findPage(options, { userId }),
      toDtos: (roles) => roles.map(toRoleDto),
    });
    return { roles: items, totalRolesCount: total, nextCursor };
  }

  /** Resolves a comma-separated list of role names (case-insensitive) or refuses naming the unknown ones. */
  async resolveNames(names: string[] | string): Promise<Required<RoleDto>[]> {
    const wanted = (Array.isArray(names) ? names : names.split(',')).map((name) => name.trim()).filter(Boolean);
    if (!wanted.length) throw ApiException.badRequest('roles must name at least one role', ErrorCode.ValidationFailed);
    const all = (await this.roles.findAll()).map(toRoleDto);
    const byName = new Map(all.map((role) => [role.name.toLowerCase(), role]));
    const unknown = wanted.filter((name) => !byName.has(name.toLowerCase()));
    if (unknown.length) {
      throw ApiException.badRequest(
        `Unknown role ${unknown.map((n) => `"${n}"`).join(', ')}; roles are ${all.map((r) => r.name).join(', ')}`,
        ErrorCode.InvalidReference,
      );
    }
    return [...new Map(wanted.map((name) => byName.get(name.toLowerCase())!).map((role) => [role.id, role])).values()];
  }
}
