import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { QueueName } from '@tgg/queues';
import { DEPENDENCY_SOURCES, SERVICE_RUNTIME_CONTROLLERS, SERVICE_RUNTIME_PROVIDERS, ServiceRuntimeModule, PRODUCER_REDIS, READINESS_CHECKS, redisDependency, redisWritableCheck, chatTurnsProviders, turnSweeperProvider, WORKER_REDIS } from '@tgg/service-runtime';
import { KeyboardButtonStore } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { ButtonTapItems } from './reorder/button-tap-items.js';
import { TelegramUpdatesHandler } from './reorder/telegram-updates.handler.js';

/** The sequencer needs Redis only: it never touches Postgres, so a database outage cannot stall reordering. */
@Module({})
export class SequencerModule {
  static forRoot(config: AppConfig, logger: Logger, metrics: BridgeMetrics): DynamicModule {
    return {
      module: SequencerModule,
      imports: [ServiceRuntimeModule.forRoot(config, logger, metrics, [QueueName.TelegramUpdates])],
      controllers: SERVICE_RUNTIME_CONTROLLERS,
      providers: [
        ...chatTurnsProviders('inbound'),
        TelegramUpdatesHandler,
        ButtonTapItems,
        {
          provide: KeyboardButtonStore,
          inject: [WORKER_REDIS, APP_CONFIG],
          useFactory: (redis: Redis, appConfig: AppConfig) => new KeyboardButtonStore(redis, appConfig.redis.queuePrefix),
        },
        // Releases chats whose reorder window has passed: the window's precision is the interval.
        turnSweeperProvider('inbound', { intervalMs: 10, errorPauseMs: 1000, what: 'due chats' }),
        ...SERVICE_RUNTIME_PROVIDERS,
        { provide: READINESS_CHECKS, inject: [PRODUCER_REDIS], useFactory: (redis: Redis) => [redisWritableCheck(redis, config.redis.queuePrefix, 'sequencer')] },
        { provide: DEPENDENCY_SOURCES, inject: [PRODUCER_REDIS], useFactory: (redis: Redis) => [redisDependency(redis)] },
      ],
    };
  }
}
