import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { createRedisConnection, type QueueName } from '@tgg/queues';
import { DependencyMonitor } from './health/dependency-monitor.js';
import { HealthController } from './health/health.controller.js';
import { ShutdownState } from './health/shutdown-state.js';
import { MetricsController } from './metrics.controller.js';
import type { BridgeMetrics } from '@tgg/telemetry';
import { LOGGER, METRICS, PRODUCER_REDIS, WORKER_REDIS } from './tokens.js';
import { QueueDepthCollector } from './queue-depth.collector.js';
import { CONSUMED_QUEUES, WorkerHost } from './worker-host/worker-host.js';

@Injectable()
class RedisConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(PRODUCER_REDIS) private readonly producer: Redis,
    @Inject(WORKER_REDIS) private readonly worker: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.producer.quit(), this.worker.quit()]);
  }
}

/**
 * What every service shares: config, logger, metrics, Redis connections, /health and /metrics.
 * The app's own module adds READINESS_CHECKS (what it needs to accept work), DEPENDENCY_SOURCES
 * (what /health/dependencies reports) and lists SERVICE_RUNTIME_CONTROLLERS and SERVICE_RUNTIME_PROVIDERS, so
 * the health controller sees the app's checks. `consumes` names the queues whose jobs this service
 * works: the WorkerHost runs one worker for each, with the app's @QueueJobHandler providers.
 */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics, consumes: readonly QueueName[] = []): DynamicModule {
    const reportRedisError = (role: string) => {
      let lastLogAtMs = 0;
      return (error: Error) => {
        // ioredis retries on its own; one line every 10 s is enough to tell the operator.
        if (Date.now() - lastLogAtMs < 10_000) return;
        lastLogAtMs = Date.now();
        logger.warn({ role, err: { message: error.message } }, 'redis connection problem');
      };
    };
    return {
      module: ServiceRuntimeModule,
      imports: [TerminusModule, DiscoveryModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: metrics },
        { provide: PRODUCER_REDIS, useFactory: () => createRedisConnection(config.redis.url, 'producer', reportRedisError('producer'), `tgg-producer`) },
        { provide: WORKER_REDIS, useFactory: () => createRedisConnection(config.redis.url, 'worker', reportRedisError('worker'), `tgg-worker`) },
        RedisConnectionsCloser,
        QueueDepthCollector,
        ShutdownState,
        { provide: CONSUMED_QUEUES, useValue: consumes },
        WorkerHost,
      ],
      exports: [APP_CONFIG, LOGGER, METRICS, PRODUCER_REDIS, WORKER_REDIS, TerminusModule, ShutdownState, WorkerHost],
    };
  }
}

/** /health/live, /health/ready, /health/dependencies and /metrics; listed in each app module's controllers. */
export const SERVICE_RUNTIME_CONTROLLERS = [HealthController, MetricsController];

/**
 * Listed in each app module's providers beside its DEPENDENCY_SOURCES (the monitor must see the
 * app's sources, which the global ServiceRuntimeModule cannot).
 */
export const SERVICE_RUNTIME_PROVIDERS = [DependencyMonitor];
