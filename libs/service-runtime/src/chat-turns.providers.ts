import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { TURN_PIPELINES, createChatTurns, incomingStaleMs, type ChatTurns, type PipelineJobName, type TurnPipeline } from '@tgg/chat-turns';
import { QueueName, TypedProducer, defaultJobOptions } from '@tgg/queues';
import { LOGGER, WORKER_REDIS } from './tokens.js';

/**
 * The Nest wiring of @tgg/chat-turns. It lives here, not in that lib, because chat-turns is an
 * adapter: it may not import @tgg/queues (adapters never import each other), which makes the turns'
 * queue and its typed producer, nor these worker tokens. Glue may import both.
 */

/** genesys-inbound and its per-chat turns (namespace 'seq'), shared by the sequencer and the dispatcher. */
export const INBOUND_TURNS = Symbol('INBOUND_TURNS');
export type InboundTurns = ChatTurns<'genesys-message-ready.v1'>;

/** telegram-sends and its per-chat turns (namespace 'out'), shared by the reply intake and the Telegram sender. */
export const OUTBOUND_TURNS = Symbol('OUTBOUND_TURNS');
export type OutboundTurns = ChatTurns<'telegram-reply-ready.v1'>;

const TURN_QUEUES: Record<TurnPipeline, QueueName> = {
  inbound: QueueName.GenesysInbound,
  outbound: QueueName.TelegramSends,
};

const TURN_TOKENS: Record<TurnPipeline, symbol> = {
  inbound: INBOUND_TURNS,
  outbound: OUTBOUND_TURNS,
};

/** Provides the pipeline's ChatTurns under INBOUND_TURNS or OUTBOUND_TURNS, and closes its queue at shutdown. */
export function chatTurnsProviders<P extends TurnPipeline>(pipeline: P): Provider[] {
  const token = TURN_TOKENS[pipeline];
  const queueToken = Symbol(`${pipeline} turns queue`);

  @Injectable()
  class TurnsQueueCloser implements OnApplicationShutdown {
    constructor(@Inject(queueToken) private readonly queue: Queue) {}
    async onApplicationShutdown(): Promise<void> {
      await this.queue.close();
    }
  }

  return [
    {
      provide: queueToken,
      inject: [WORKER_REDIS, APP_CONFIG],
      useFactory: (redis: Redis, config: AppConfig) => new Queue(TURN_QUEUES[pipeline], { connection: redis, prefix: config.redis.queuePrefix }),
    },
    {
      provide: token,
      inject: [WORKER_REDIS, APP_CONFIG, LOGGER, queueToken],
      useFactory: (redis: Redis, config: AppConfig, logger: Logger, queue: Queue) =>
        createChatTurns(redis, {
          pipeline,
          queue,
          producer: new TypedProducer<PipelineJobName<P>>(queue, TURN_PIPELINES[pipeline].jobName, defaultJobOptions(config.delivery.deadLetterKeep)),
          queuePrefix: config.redis.queuePrefix,
          log: logger,
          // A killed intake worker's job returns after its lock expires: wait a little longer than that.
          incomingStaleMs: incomingStaleMs(config.workers.lockDurationMs),
        }),
    },
    TurnsQueueCloser,
  ];
}
