import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecorder, AuditSubscriber } from '../../common/audit';
import { AuditEventEntity } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** Global: every module records its changes with AuditRecorder; the subscriber records entity saves. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AuditController],
  providers: [AuditRecorder, AuditSubscriber, AuditRepository, AuditService],
  exports: [AuditRecorder],
})
export class AuditModule {}
