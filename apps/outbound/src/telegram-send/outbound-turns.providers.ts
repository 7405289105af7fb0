import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { WORKER_REDIS, chatTurnsProviders } from '@tgg/service-runtime';
import { SendRateLimiter } from './send-rate-limiter.js';

export const SEND_RATE_LIMITER = Symbol('SEND_RATE_LIMITER');

/** "Short bursts are tolerated" (telegram-bot-api.md §4.3): a reply split in three leaves at once. */
export const PER_CHAT_BURST = 3;

/** The reply turns (OUTBOUND_TURNS, from @tgg/service-runtime) and the Telegram send pacing. */
export const outboundTurnsProviders: Provider[] = [
  ...chatTurnsProviders('outbound'),
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
