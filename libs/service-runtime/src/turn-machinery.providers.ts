import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { createTurnMachinery, type TurnMachinery } from '@tgg/queues';
import { LOGGER, WORKER_REDIS } from './tokens.js';

/** The genesys-inbound queue plus per-chat turns, shared by the sequencer and the dispatcher. */
export const TURN_MACHINERY = Symbol('TURN_MACHINERY');

@Injectable()
class TurnMachineryCloser implements OnApplicationShutdown {
  constructor(@Inject(TURN_MACHINERY) private readonly turns: TurnMachinery) {}
  async onApplicationShutdown(): Promise<void> {
    await this.turns.close();
  }
}

export const turnMachineryProviders: Provider[] = [
  {
    provide: TURN_MACHINERY,
    inject: [WORKER_REDIS, APP_CONFIG, LOGGER],
    useFactory: (redis: Redis, config: AppConfig, logger: Logger) =>
      createTurnMachinery(redis, { queuePrefix: config.redis.queuePrefix, deadLetterKeep: config.delivery.deadLetterKeep, workerLockMs: config.workers.lockDurationMs }, (chatRef, orderKey) =>
        logger.error({ chatRef, orderKey }, 'chat turn held unreadable data; skipped it'),
      ),
  },
  TurnMachineryCloser,
];
