import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import { GENESYS_TOKENS, genesysClientProviders, type GenesysTokenCache } from '@tgg/genesys';
import { QueueName } from '@tgg/queues';
import {
  DEPENDENCY_SOURCES,
  SERVICE_RUNTIME_CONTROLLERS,
  SERVICE_RUNTIME_PROVIDERS,
  ServiceRuntimeModule,
  PRODUCER_REDIS,
  WORKER_REDIS,
  READINESS_CHECKS,
  genesysTokenDependency,
  postgresDependency,
  redisDependency,
  redisWritableCheck,
  chatTurnsProviders,
} from '@tgg/service-runtime';
import { MediaLinkStore } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { GenesysInboundHandler } from './genesys-inbound/genesys-inbound.handler.js';

import { InboundDelivery } from './genesys-inbound/inbound-delivery.js';
import { MessageRetentionHandler } from './retention/message-retention.handler.js';
import { opsConsoleProviders } from './ops/ops-console.js';

@Module({})
export class DispatcherModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [ServiceRuntimeModule.forRoot(config, logger, metrics, [QueueName.GenesysInbound, QueueName.Maintenance]), DataModule],
      controllers: SERVICE_RUNTIME_CONTROLLERS,
      providers: [
        ...chatTurnsProviders('inbound'),
        ...genesysClientProviders,
        InboundDelivery,
        {
          provide: MediaLinkStore,
          inject: [WORKER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new MediaLinkStore(redis, appConfig.redis.queuePrefix, appConfig.media.signingKey),
        },
        GenesysInboundHandler,
        MessageRetentionHandler,
        ...opsConsoleProviders(config),
        ...SERVICE_RUNTIME_PROVIDERS,
        // A worker is ready when it can take jobs from Redis; Postgres and Genesys outages are
        // retried per job (the chat waits) and reported on /health/dependencies.
        { provide: READINESS_CHECKS, inject: [PRODUCER_REDIS], useFactory: (redis: Redis) => [redisWritableCheck(redis, config.redis.queuePrefix, 'dispatcher')] },
        {
          provide: DEPENDENCY_SOURCES,
          inject: [PRISMA, PRODUCER_REDIS, GENESYS_TOKENS],
          useFactory: (prisma: PrismaClient, redis: Redis, tokens: GenesysTokenCache | undefined) => [postgresDependency(prisma), redisDependency(redis), genesysTokenDependency(tokens)],
        },
      ],
    };
  }
}
