import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ShutdownState } from '../../common/lifecycle';
import { Public } from '../../common/auth';

/** Probes for orchestrators; public and outside the /v1 envelope contract (terminus answers its own shape). */
@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthLive', summary: 'The process is up.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    operationId: 'healthReady',
    summary: 'The process can serve requests: it is not shutting down and the database answers.',
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => {
        const lifecycle = this.indicators.check('lifecycle');
        return this.shutdown.stopping ? lifecycle.down({ state: 'shutting down' }) : lifecycle.up();
      },
      () => this.database.pingCheck('database', { timeout: 2000 }),
    ]);
  }
}
