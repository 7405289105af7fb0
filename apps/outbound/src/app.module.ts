import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig } from '@tgg/config';
import { ChannelDirectory, DataModule, PRISMA, type PrismaClient } from '@tgg/data';
import { GENESYS_TOKENS, type GenesysTokenCache } from '@tgg/genesys';
import { QueueName } from '@tgg/queues';
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
  TelegramBots,
} from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { genesysRepliesProvider } from './genesys-webhook/genesys-replies.producer.js';
import { GenesysWebhookController } from './genesys-webhook/genesys-webhook.controller.js';
import { DependencyHealthPoller } from './health/dependency-health.poller.js';
import { DeliveryReceipts } from './genesys-receipts/delivery-receipts.js';
import { GenesysReceiptsHandler } from './genesys-receipts/genesys-receipts.handler.js';
import { ReplyIntakeHandler } from './reply-intake/reply-intake.handler.js';
import { outboundGenesysProviders } from './telegram-send/genesys.providers.js';
import { InlineKeyboards, keyboardButtonStoreProvider } from './telegram-send/inline-keyboards.js';
import { outboundTurnsProviders } from './telegram-send/outbound-turns.providers.js';
import { ReplyBookkeeping } from './telegram-send/reply-bookkeeping.js';
import { ReplyDelivery } from './telegram-send/reply-delivery.js';
import { SentSteps } from './telegram-send/sent-steps.js';
import { TelegramSendsHandler } from './telegram-send/telegram-sends.handler.js';
import { TelegramStepSender } from './telegram-send/telegram-step.sender.js';

/**
 * Outbound: the Genesys webhook (genesys-webhook/) and one folder per queue it works: reply-intake/
 * (genesys-replies into per-chat turns), telegram-send/ (telegram-sends: the rate-limited sender) and
 * genesys-receipts/ (receipts to Genesys).
 */
@Module({})
export class OutboundModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: OutboundModule,
      imports: [ServiceRuntimeModule.forRoot(config, logger, metrics, [QueueName.GenesysReplies, QueueName.TelegramSends, QueueName.GenesysReceipts]), DataModule],
      controllers: [...SERVICE_RUNTIME_CONTROLLERS, GenesysWebhookController],
      providers: [
        genesysRepliesProvider,
        ...outboundGenesysProviders,
        ...outboundTurnsProviders,
        TelegramBots,
        DeliveryReceipts,
        ReplyBookkeeping,
        keyboardButtonStoreProvider,
        InlineKeyboards,
        TelegramStepSender,
        SentSteps,
        ReplyDelivery,
        ReplyIntakeHandler,
        TelegramSendsHandler,
        GenesysReceiptsHandler,
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
