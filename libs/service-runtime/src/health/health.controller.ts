import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DependencyMonitor, type DependencyReport } from './dependency-monitor.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';
import { ShutdownState } from './shutdown-state.js';
import { withTimeout } from './with-timeout.js';

const CHECK_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(DependencyMonitor) private readonly dependencies: DependencyMonitor,
    @Inject(ShutdownState) private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up; checks nothing external, so a dependency outage never restarts pods. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * This process can accept and durably store work (SPEC §4): Redis takes writes and, for the
   * webhook receivers, the channel list was loaded once. Postgres and the far sides are on
   * /health/dependencies instead: gating on them would empty the Service on one blip or one bad token.
   */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    if (this.shutdown.shuttingDown) {
      // Draining after SIGTERM: still serving what it has, but the Service must send new work elsewhere.
      void reply.status(503).send({ error: 'not_ready', message: 'shutting down', details: { shutdown: { status: 'down', message: 'shutting down' } } });
      return;
    }
    const results = await Promise.all(
      this.checks.map(async (dependency) => {
        const session = this.indicators.check(dependency.name);
        try {
          const detail = await withTimeout(dependency.check(), CHECK_TIMEOUT_MS);
          return session.up(detail ? { detail } : {});
        } catch (error) {
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

  /** Postgres, Redis, the Genesys token and each channel's bot, from the last cached check (never gates anything). */
  @Get('dependencies')
  async dependencyReport(): Promise<DependencyReport> {
    return this.dependencies.report();
  }
}
