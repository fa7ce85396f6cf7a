import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { defineQueryEntity, QueryOptions, findPage, parseSelect, pickFields } from '../../common/query';
import { RoleEntity } from './role.entity';
import { GetRolesResponse, RoleDto } from './roles.dto';

export const ROLE_QUERY = defineQueryEntity({
  name: 'Role',
  fields: {
    id: { type: 'uuid' },
    name: { type: 'string' },
    description: { type: 'string' },
  },
});

export function toRoleDto(role: RoleEntity): RoleDto {
  return { id: role.id, name: role.name, description: role.description };
}

@Injectable()
export class RolesService {
  constructor(@InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>) {}

  async list(options: QueryOptions, userId?: string): Promise<GetRolesResponse> {
    const select = parseSelect(ROLE_QUERY, options.select);
    const qb = this.roles.createQueryBuilder('role');
    if (userId)
      qb.innerJoin('user_roles', 'membership', 'membership.role_id = role.id AND membership.user_id = :userId', {
        userId,
      });
    const { items, total } = await findPage(qb, 'role', ROLE_QUERY, options);
    return {
      roles: items.map((role) => pickFields(toRoleDto(role), select)) as RoleDto[],
      totalRolesCount: total,
    } as GetRolesResponse;
  }

  /** Resolves a comma-separated list of role names (case-insensitive) or refuses naming the unknown ones. */
  async resolveNames(names: string[] | string): Promise<RoleEntity[]> {
    const wanted = (Array.isArray(names) ? names : names.split(',')).map((name) => name.trim()).filter(Boolean);
    if (!wanted.length) throw ApiException.badRequest('roles must name at least one role', ErrorCode.ValidationFailed);
    const all = await this.roles.find();
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

  findByIds(ids: string[]): Promise<RoleEntity[]> {
    return this.roles.findBy({ id: In(ids) });
  }
}
