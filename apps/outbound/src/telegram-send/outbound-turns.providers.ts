import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { LOGGER, WORKER_REDIS } from '@tgg/service-runtime';
import { QueueName, createChatTurnMachinery, type ChatTurnMachinery } from '@tgg/queues';
import { SendRateLimiter } from './send-rate-limiter.js';

/** The telegram-sends queue and the per-chat turns in front of it (namespace 'out'). */
export const OUTBOUND_TURNS = Symbol('OUTBOUND_TURNS');
export type OutboundTurns = ChatTurnMachinery<'telegram-reply-ready.v1'>;

export const SEND_RATE_LIMITER = Symbol('SEND_RATE_LIMITER');

/** "Short bursts are tolerated" (telegram-bot-api.md §4.3): a reply split in three leaves at once. */
export const PER_CHAT_BURST = 3;

/** How long a reply the webhook acknowledged may hold its chat back while it is on its way into the chat's line. */
export function outboundIncomingStaleMs(config: AppConfig): number {
  return 2 * config.workers.lockDurationMs + 5000;
}

@Injectable()
class OutboundTurnsCloser implements OnApplicationShutdown {
  constructor(@Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns) {}
  async onApplicationShutdown(): Promise<void> {
    await this.turns.close();
  }
}

export const outboundTurnsProviders: Provider[] = [
  {
    provide: OUTBOUND_TURNS,
    inject: [WORKER_REDIS, APP_CONFIG, LOGGER],
    useFactory: (redis: Redis, config: AppConfig, logger: Logger): OutboundTurns =>
      createChatTurnMachinery(
        redis,
        {
          queuePrefix: config.redis.queuePrefix,
          queueName: QueueName.TelegramSends,
          jobName: 'telegram-reply-ready.v1',
          deadLetterKeep: config.delivery.deadLetterKeep,
          namespace: 'out',
          // A killed intake worker's job returns after its lock expires: wait a little longer than that.
          incomingStaleMs: outboundIncomingStaleMs(config),
        },
        (chatRef, orderKey) => logger.error({ chatRef, orderKey }, 'reply turn held unreadable data; skipped it'),
      ),
  },
  OutboundTurnsCloser,
  {
    provide: SEND_RATE_LIMITER,
    inject: [WORKER_REDIS, APP_CONFIG],
    useFactory: (redis: Redis, config: AppConfig) =>
      new SendRateLimiter(redis, config.redis.queuePrefix, {
        perChatPerSecond: config.outbound.perChatPerSecond,
        perChatBurst: PER_CHAT_BURST,
        globalPerSecond: config.outbound.globalPerSecond,
        // Like the worker locks: a crashed replica's chats move again within seconds, a live one renews.
        inFlightLeaseMs: Math.floor((config.workers.lockDurationMs * 3) / 4),
      }),
  },
];
