import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { BridgeMetrics } from '@tgg/telemetry';
import { METRICS } from '../tokens.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

const CHECK_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
  ) {}

  /** The process is up; checks nothing external, so a dependency outage never restarts pods. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (dependency) => {
        const session = this.indicators.check(dependency.name);
        try {
          const detail = await withTimeout(dependency.check(), CHECK_TIMEOUT_MS);
          this.metrics.dependencyUp.set({ dependency: dependency.name }, 1);
          return session.up(detail ? { detail } : {});
        } catch (error) {
          this.metrics.dependencyUp.set({ dependency: dependency.name }, 0);
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    const details = Object.assign({}, ...results) as Record<string, { status: string; message?: string }>;
    const down = Object.entries(details).filter(([, result]) => result.status === 'down');
    if (down.length === 0) {
      void reply.status(200).send({ status: 'ok', details });
      return;
    }
    const message = down.map(([name, result]) => `${name}: ${result.message ?? 'down'}`).join('; ');
    void reply.status(503).send({ error: 'not_ready', message, details });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
