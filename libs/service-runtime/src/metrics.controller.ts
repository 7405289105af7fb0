import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { acceptsOpenMetrics, openMetricsToPrometheusText, type BridgeMetrics } from '@tgg/telemetry';
import { METRICS } from './tokens.js';

const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** GET /metrics: OpenMetrics with exemplars for a scrape that asks for it, Prometheus text otherwise (SPEC §4). */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: BridgeMetrics) {}

  @Get()
  async scrape(@Headers('accept') accept: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const openMetrics = await this.metrics.registry.metrics();
    if (acceptsOpenMetrics(accept)) void reply.header('content-type', this.metrics.registry.contentType).send(openMetrics);
    else void reply.header('content-type', PROMETHEUS_TEXT_CONTENT_TYPE).send(openMetricsToPrometheusText(openMetrics));
  }
}
