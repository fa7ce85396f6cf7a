import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseLogService } from './database-log.service';
import { LogEntryEntity } from './log-entry.entity';
import { LogController } from './log.controller';
import { LogRepository } from './log.repository';
import { LogService } from './log.service';
import { RequestLogHook } from './request-logging';

/** Global: any module may inject DatabaseLogService to log an operation of its own. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LogEntryEntity])],
  controllers: [LogController],
  providers: [LogRepository, DatabaseLogService, LogService, RequestLogHook],
  exports: [DatabaseLogService],
})
export class LogModule {}
