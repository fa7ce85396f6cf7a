import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { RoleEntity } from './role.entity';
import { ROLE_QUERY } from './roles.query';

@Injectable()
export class RolesRepository {
  constructor(@InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>) {}

  /** Every role, or the roles of `userId`. */
  findPage(options: PageOptions, scope: { userId?: string } = {}): Promise<Page<RoleEntity>> {
    const qb = this.roles.createQueryBuilder('role');
    if (scope.userId)
      qb.innerJoin('user_roles', 'membership', 'membership.role_id = role.id AND membership.user_id = :userId', {
        userId: scope.userId,
      });
    return findPage(qb, 'role', ROLE_QUERY, options);
  }

  findAll(): Promise<RoleEntity[]> {
    return this.roles.find();
  }
}
