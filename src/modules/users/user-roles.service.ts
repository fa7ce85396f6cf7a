import { Injectable } from '@nestjs/common';
import { Principal, isAdministrator } from '../../common/auth';
import { ApiException } from '../../common/errors';
import { QueryOptions } from '../../common/query';
import { GetUserRolesResponse } from '../roles/roles.dto';
import { RolesService } from '../roles/roles.service';
import { UsersService } from './users.service';
import { Payload } from '../../common/envelope';

@Injectable()
export class UserRolesService {
  constructor(
    private readonly users: UsersService,
    private readonly roles: RolesService,
  ) {}

  async list(userId: string, options: QueryOptions, principal: Principal): Promise<Payload<GetUserRolesResponse>> {
    if (!isAdministrator(principal) && principal.userId !== userId)
      throw ApiException.forbidden("Only administrators may read another user's roles");
    await this.users.assertExists(userId);
    return this.roles.list(options, userId);
  }

  add(userId: string, roles: string): Promise<void> {
    return this.users.addRoles(userId, roles);
  }

  remove(userId: string, roles: string): Promise<void> {
    return this.users.removeRoles(userId, roles);
  }
}
