import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ChannelDirectory, DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import { DEPENDENCY_SOURCES, SERVICE_RUNTIME_CONTROLLERS, SERVICE_RUNTIME_PROVIDERS, ServiceRuntimeModule, PRODUCER_REDIS, READINESS_CHECKS, TelegramBots, channelsLoadedCheck, postgresDependency, redisDependency, redisWritableCheck } from '@tgg/service-runtime';
import { KeyboardButtonStore, MediaLinkStore } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { MediaController } from './media/media.controller.js';
import { SandboxController } from './sandbox/sandbox.controller.js';
import { TelegramWebhookController } from './telegram-webhook/telegram-webhook.controller.js';
import { telegramUpdatesProvider } from './telegram-webhook/telegram-updates.producer.js';
import { ButtonTaps } from './telegram-webhook/button-taps.js';

@Module({})
export class IngressModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: IngressModule,
      imports: [ServiceRuntimeModule.forRoot(config, logger, metrics), DataModule],
      controllers: [...SERVICE_RUNTIME_CONTROLLERS, TelegramWebhookController, MediaController, ...(config.sandboxConsole ? [SandboxController] : [])],
      providers: [
        telegramUpdatesProvider,
        TelegramBots,
        ButtonTaps,
        ...SERVICE_RUNTIME_PROVIDERS,
        // Ready = a webhook can be stored: Redis takes writes and the channels are known. Postgres
        // is not needed for that (channels are cached), so it is reported, never gating.
        // The producer connection fails fast while Redis is down, so a media fetch gets a quick 503.
        {
          provide: MediaLinkStore,
          inject: [PRODUCER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new MediaLinkStore(redis, appConfig.redis.queuePrefix, appConfig.media.signingKey),
        },
        {
          provide: KeyboardButtonStore,
          inject: [PRODUCER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new KeyboardButtonStore(redis, appConfig.redis.queuePrefix),
        },
        {
          provide: READINESS_CHECKS,
          inject: [PRODUCER_REDIS, ChannelDirectory],
          useFactory: (redis: Redis, channels: ChannelDirectory) => [redisWritableCheck(redis, config.redis.queuePrefix, 'ingress'), channelsLoadedCheck(channels)],
        },
        {
          provide: DEPENDENCY_SOURCES,
          inject: [PRISMA, PRODUCER_REDIS],
          useFactory: (prisma: PrismaClient, redis: Redis) => [postgresDependency(prisma), redisDependency(redis)],
        },
      ],
    };
  }
}
