import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import type { GenesysTokenCache } from '@tgg/genesys';
import { GENESYS_TOKENS, PLATFORM_CONTROLLERS, PlatformModule, PRODUCER_REDIS, WORKER_REDIS, READINESS_CHECKS, TokenHealthPoller, genesysProviders, genesysTokenCheck, postgresCheck, redisCheck, turnMachineryProviders } from '@tgg/platform';
import { MediaLinkStore } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { GenesysInboundProcessor } from './genesys-inbound/genesys-inbound.processor.js';

import { InboundDelivery } from './genesys-inbound/inbound-delivery.js';

@Module({})
export class DispatcherModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [PlatformModule.forRoot(config, logger, metrics), DataModule],
      controllers: PLATFORM_CONTROLLERS,
      providers: [
        ...turnMachineryProviders,
        ...genesysProviders,
        InboundDelivery,
        {
          provide: MediaLinkStore,
          inject: [WORKER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new MediaLinkStore(redis, appConfig.redis.queuePrefix, appConfig.media.signingKey),
        },
        GenesysInboundProcessor,
        TokenHealthPoller,
        {
          provide: READINESS_CHECKS,
          inject: [PRISMA, PRODUCER_REDIS, GENESYS_TOKENS],
          useFactory: (prisma: PrismaClient, redis: Redis, tokens: GenesysTokenCache | undefined) => [postgresCheck(prisma), redisCheck(redis), genesysTokenCheck(tokens)],
        },
      ],
    };
  }
}
