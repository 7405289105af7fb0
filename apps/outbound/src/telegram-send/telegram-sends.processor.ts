import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { TelegramReplyReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, OUTBOUND_TURNS, WORKER_REDIS, bridgeWorkerOptions, drainBridgeWorker, type OutboundTurns } from '@tgg/service-runtime';
import { type BridgeWorker, QueueName, createBridgeWorker, createProcessor, type FinalFailure } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';
import { ReplyDelivery } from './reply-delivery.js';
import { messageOf } from '../error-message.js';

/**
 * Enough parallel jobs that every busy chat can have its one reply in flight; jobs also wait inside
 * for their rate-limit slot, so this is more than the sends per second.
 */
const CONCURRENCY = 100;

/**
 * Consumes telegram-sends. Chats run in parallel; one chat never has two jobs at once, because the
 * chat's next reply is handed out (@tgg/chat-turns, namespace 'out') only after this processor
 * finished the previous one: delivered, failed with a receipt, or dead-lettered. So a retry of
 * reply N (after a 429 or a 5xx) cannot be overtaken by N+1.
 */
@Injectable()
export class TelegramSendsProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: BridgeWorker | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns,
    @Inject(ReplyDelivery) private readonly delivery: ReplyDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const processor = createProcessor(
      {
        'telegram-reply-ready.v1': async (data, job) => {
          // A replayed dead letter waits for its chat's turn, so a chat's replayed replies keep their order.
          if ((await this.turns.takeTurn(data, job.id)) !== 'turn') return;
          await this.delivery.sendReplyToTelegram(data);
          await this.turns.finishTurn(data);
        },
      },
      (failure) => this.onFinalFailure(failure),
      { horizonMs: this.config.delivery.horizonMs },
    );
    this.worker = createBridgeWorker(QueueName.TelegramSends, processor, bridgeWorkerOptions(QueueName.TelegramSends, this.config, this.redis, this.metrics, CONCURRENCY));
    this.worker.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'telegram-sends worker error'));
    this.worker.on('failed', (job, error) => {
      if (job && error.name !== 'UnrecoverableError') {
        this.metrics.replies.inc({ outcome: 'retried', reason: 'code' in error && typeof error.code === 'string' ? error.code : 'error' });
        this.logger.warn({ jobId: job.id, attempt: job.attemptsMade, err: { message: error.message } }, 'Telegram send failed; will retry');
      }
    });
    void this.worker.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await drainBridgeWorker(this.worker, this.logger);
  }

  /** Past the delivery horizon or permanent: Failed receipt, dead-letter (failed set), and the chat moves on. */
  private async onFinalFailure({ job, code, reason }: FinalFailure): Promise<void> {
    const parsed = TelegramReplyReadyV1.safeParse(job.data);
    if (!parsed.success) {
      this.metrics.deadLetters.inc({ queue: QueueName.TelegramSends, code });
      this.logger.error({ jobId: job.id, code, reason }, 'unreadable reply job dead-lettered');
      return;
    }
    const horizonReached = code === 'delivery_horizon';
    await this.delivery.giveUp(parsed.data, { code, reason, horizonReached }).catch((error: unknown) =>
      this.logger.warn({ jobId: job.id, err: { message: messageOf(error) } }, 'could not record the dead-lettered reply'),
    );
    await this.turns.finishTurn(parsed.data);
  }
}
