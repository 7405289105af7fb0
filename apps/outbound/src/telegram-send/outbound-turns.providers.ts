import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { WORKER_REDIS, chatTurnsProviders, turnSweeperProvider } from '@tgg/service-runtime';
import { SendRateLimiter } from './send-rate-limiter.js';

export const SEND_RATE_LIMITER = Symbol('SEND_RATE_LIMITER');

/** "Short bursts are tolerated" (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this): a reply split in three leaves at once. */
export const PER_CHAT_BURST = 3;

/** The reply turns (OUTBOUND_TURNS, from @tgg/service-runtime), their sweeper and the Telegram send pacing. */
export const outboundTurnsProviders: Provider[] = [
  ...chatTurnsProviders('outbound'),
  // Replies need no hold-back window, so turns normally move only when a reply is accepted or a
  // send finishes; the sweep catches a chat whose next turn was never handed out, or whose
  // in-flight job was lost, because a process died between two Redis writes.
  turnSweeperProvider('outbound', { intervalMs: 500, errorPauseMs: 2000, what: 'reply turns' }),
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
