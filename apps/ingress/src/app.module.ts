import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import { PLATFORM_CONTROLLERS, PlatformModule, PRODUCER_REDIS, READINESS_CHECKS, postgresCheck, redisCheck } from '@tgg/platform';
import { MediaLinkStore } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { MediaController } from './media/media.controller.js';
import { SandboxController } from './sandbox/sandbox.controller.js';
import { TelegramWebhookController } from './telegram-webhook/telegram-webhook.controller.js';
import { TelegramUpdatesProducer } from './telegram-webhook/telegram-updates.producer.js';

@Module({})
export class IngressModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: IngressModule,
      imports: [PlatformModule.forRoot(config, logger, metrics), DataModule],
      controllers: [...PLATFORM_CONTROLLERS, TelegramWebhookController, MediaController, ...(config.sandboxConsole ? [SandboxController] : [])],
      providers: [
        TelegramUpdatesProducer,
        // The producer connection fails fast while Redis is down, so a media fetch gets a quick 503.
        {
          provide: MediaLinkStore,
          inject: [PRODUCER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new MediaLinkStore(redis, appConfig.redis.queuePrefix, appConfig.media.signingKey),
        },
        {
          provide: READINESS_CHECKS,
          inject: [PRISMA, PRODUCER_REDIS],
          useFactory: (prisma: PrismaClient, redis: Redis) => [postgresCheck(prisma), redisCheck(redis)],
        },
      ],
    };
  }
}
