import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig } from '@tgg/config';
import { ChannelDirectory, DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import { GENESYS_TOKENS, type GenesysTokenCache } from '@tgg/genesys';
import {
  DEPENDENCY_SOURCES,
  SERVICE_RUNTIME_CONTROLLERS,
  SERVICE_RUNTIME_PROVIDERS,
  ServiceRuntimeModule,
  PRODUCER_REDIS,
  READINESS_CHECKS,
  channelsLoadedCheck,
  genesysTokenDependency,
  postgresDependency,
  redisDependency,
  redisWritableCheck,
} from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { GenesysRepliesProducer } from './genesys-webhook/genesys-replies.producer.js';
import { GenesysWebhookController } from './genesys-webhook/genesys-webhook.controller.js';
import { DependencyHealthPoller } from './health/dependency-health.poller.js';
import { DeliveryReceipts } from './telegram-send/delivery-receipts.js';
import { GenesysReceiptsProcessor } from './telegram-send/genesys-receipts.processor.js';
import { outboundGenesysProviders } from './telegram-send/genesys.providers.js';
import { outboundTurnsProviders } from './telegram-send/outbound-turns.providers.js';
import { ReplyBookkeeping } from './telegram-send/reply-bookkeeping.js';
import { ReplyDelivery } from './telegram-send/reply-delivery.js';
import { ReplyIntakeProcessor } from './telegram-send/reply-intake.processor.js';
import { ReplyTurnsSweeper } from './telegram-send/reply-turns.sweeper.js';
import { SentSteps } from './telegram-send/sent-steps.js';
import { TelegramBots } from './telegram-send/telegram-bots.js';
import { TelegramSendsProcessor } from './telegram-send/telegram-sends.processor.js';
import { TelegramStepSender } from './telegram-send/telegram-step.sender.js';

/**
 * Outbound: the Genesys webhook (genesys-webhook/) and the workers that take replies to Telegram
 * (telegram-send/): intake into per-chat turns, the rate-limited sender, and receipts to Genesys.
 */
@Module({})
export class OutboundModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: OutboundModule,
      imports: [ServiceRuntimeModule.forRoot(config, logger, metrics), DataModule],
      controllers: [...SERVICE_RUNTIME_CONTROLLERS, GenesysWebhookController],
      providers: [
        GenesysRepliesProducer,
        ...outboundGenesysProviders,
        ...outboundTurnsProviders,
        TelegramBots,
        DeliveryReceipts,
        ReplyBookkeeping,
        TelegramStepSender,
        SentSteps,
        ReplyDelivery,
        ReplyIntakeProcessor,
        TelegramSendsProcessor,
        GenesysReceiptsProcessor,
        ReplyTurnsSweeper,
        DependencyHealthPoller,
        ...SERVICE_RUNTIME_PROVIDERS,
        // Ready = a Genesys webhook can be stored. One revoked bot token, a Genesys OAuth outage
        // or a Postgres blip must not bounce every channel's webhooks: they are only reported.
        {
          provide: READINESS_CHECKS,
          inject: [PRODUCER_REDIS, ChannelDirectory],
          useFactory: (redis: Redis, channels: ChannelDirectory) => [redisWritableCheck(redis, config.redis.queuePrefix, 'outbound'), channelsLoadedCheck(channels)],
        },
        {
          provide: DEPENDENCY_SOURCES,
          inject: [PRISMA, PRODUCER_REDIS, GENESYS_TOKENS, DependencyHealthPoller],
          useFactory: (prisma: PrismaClient, redis: Redis, tokens: GenesysTokenCache | undefined, poller: DependencyHealthPoller) => [
            postgresDependency(prisma),
            redisDependency(redis),
            genesysTokenDependency(tokens),
            poller.channelsSource(),
          ],
        },
      ],
    };
  }
}
