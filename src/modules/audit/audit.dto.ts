import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Out } from '../../common/dto';
import { ApiListResponseDto, TotalCount } from '../../common/envelope';
import { ACTOR_TYPES } from './audit.query';

@ApiSchema({ name: 'Management.AuditEvent' })
export class AuditEventDto {
  @Out({ type: 'integer', format: 'int64' }) id?: number;
  @Out({ type: String, format: 'date-time' }) createdAt?: string;
  @Out({ description: 'Dotted: license.created, license.updated, license.activated, user.login_failed, …' })
  action?: string;
  @Out({ description: 'license, customer, user, apiKey, …' }) entityType?: string;
  @Out({ type: String, nullable: true, description: 'The id of the changed record, as text' }) entityId?: string | null;
  @Out({ enum: [...ACTOR_TYPES] }) actorType?: string;
  @Out({
    type: String,
    nullable: true,
    description: 'The user id, the API key id, the client machine id; null for the system',
  })
  actorId?: string | null;
  @Out({ type: String, nullable: true, description: 'The user name (for a key, its owner), the client name' })
  actorName?: string | null;
  @Out({ type: String, nullable: true, description: "The caller's address" }) address?: string | null;
  @Out({ type: String, nullable: true, description: 'The request id (RequestId in the log, X-Request-Id)' })
  requestId?: string | null;
  @Out({
    type: 'object',
    nullable: true,
    additionalProperties: {
      type: 'object',
      properties: { from: {}, to: {} },
    },
    description: 'Only the fields that changed, as { field: { from, to } }; secrets as "[redacted]"',
  })
  changes?: Record<string, { from: unknown; to: unknown }> | null;
}

@ApiSchema({ name: 'Management.GetAuditEventsResponse' })
export class GetAuditEventsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [AuditEventDto] }) auditEvents: Partial<AuditEventDto>[];
  @TotalCount() totalAuditEventsCount: number | null;
}
