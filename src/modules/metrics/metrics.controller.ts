import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth';
import { MetricsService } from './metrics.service';

/** The Prometheus endpoint; outside the /v1 envelope (it answers Prometheus text), guarded by METRICS_TOKEN alone. */
@ApiTags('Metrics')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    summary:
      'Prometheus metrics: request durations by route, licensing counters, seats in use, pool and log queue, process.',
    description:
      'Prometheus text exposition format 0.0.4. When the server sets METRICS_TOKEN, send it as `Authorization: Bearer <token>`.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Every metric in the Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ description: 'METRICS_TOKEN is set and the request did not send it' })
  @Header('Cache-Control', 'no-store')
  get(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.metrics.authorize(reply.request.headers.authorization);
    // Only on success: a 401 is the usual JSON envelope.
    reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
