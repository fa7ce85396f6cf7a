import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, TotalCount } from '../../common/envelope';
import { Out } from '../../common/dto';

@ApiSchema({ name: 'Management.Role' })
export class RoleDto {
  // Optional because `select` may leave any member out of a listed role.
  @Out() id?: string;
  @Out() name?: string;
  @Out({ nullable: true, type: String }) description?: string | null;
}

@ApiSchema({ name: 'Management.GetRolesResponse' })
export class GetRolesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [RoleDto] }) roles: RoleDto[];
  @TotalCount() totalRolesCount: number | null;
}

@ApiSchema({ name: 'Management.GetUserRolesResponse' })
export class GetUserRolesResponse extends GetRolesResponse {}
