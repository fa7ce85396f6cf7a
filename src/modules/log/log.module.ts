import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseLogService } from './database-log.service';
import { LogEntryEntity } from './log-entry.entity';
import { LogController } from './log.controller';
import { LogService } from './log.service';
import { RequestErrorCaptureInterceptor, RequestLogHook } from './request-logging';

/** Global: any module may inject DatabaseLogService to log an operation of its own. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([LogEntryEntity])],
  controllers: [LogController],
  providers: [DatabaseLogService, LogService, RequestLogHook, { provide: APP_INTERCEPTOR, useClass: RequestErrorCaptureInterceptor }],
  exports: [DatabaseLogService],
})
export class LogModule {}
