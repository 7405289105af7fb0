import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { TelegramReplyReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, WORKER_REDIS, bridgeWorkerOptions, drainBridgeWorker } from '@tgg/service-runtime';
import { type BridgeWorker, ChatTurnStore, QueueName, createBridgeWorker, createProcessor, type FinalFailure } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';
import { OUTBOUND_TURNS, type OutboundTurns } from './outbound-turns.providers.js';
import { ReplyDelivery } from './reply-delivery.js';
import { messageOf } from '../error-message.js';

/**
 * Enough parallel jobs that every busy chat can have its one reply in flight; jobs also wait inside
 * for their rate-limit slot, so this is more than the sends per second.
 */
const CONCURRENCY = 100;

/**
 * Consumes telegram-sends. Chats run in parallel; one chat never has two jobs at once, because the
 * chat's next reply is handed out (ChatTurnStore, namespace 'out') only after this processor
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
          if (!(await this.holdsTurn(data, job.id))) return;
          await this.delivery.sendReplyToTelegram(data);
          await this.finishTurn(data);
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
    await this.finishTurn(parsed.data);
  }

  /** A replayed dead letter waits for its chat's turn, so a chat's replayed replies keep their order. */
  private async holdsTurn(data: TelegramReplyReadyV1, jobId: string | undefined): Promise<boolean> {
    const claim = await this.turns.scheduler.claimTurn(data, jobId, Date.now());
    if (claim !== 'turn') this.logger.info({ jobId, chatId: data.chatId, claim }, claim === 'requeued' ? 'replayed reply queued for its chat\'s turn' : 'replayed reply already queued for its chat\'s turn');
    return claim === 'turn';
  }

  private async finishTurn(data: TelegramReplyReadyV1): Promise<void> {
    const chatRef = ChatTurnStore.chatRef(data.channel, data.chatId);
    const nowMs = Date.now();
    await this.turns.store.finish(chatRef, data.orderKey, nowMs);
    await this.turns.scheduler.advance(chatRef, nowMs, { recheck: false });
  }
}
