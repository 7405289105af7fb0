import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { TelegramReplyReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, QueueJobHandler, type JobHandler } from '@tgg/service-runtime';
import { ChatTurnStore, QueueName, type FinalFailure } from '@tgg/queues';
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
@QueueJobHandler({ queue: QueueName.TelegramSends, job: 'telegram-reply-ready.v1', concurrency: CONCURRENCY })
export class TelegramSendsHandler implements JobHandler<'telegram-reply-ready.v1'> {
  constructor(
    @Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns,
    @Inject(ReplyDelivery) private readonly delivery: ReplyDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(data: TelegramReplyReadyV1, job: Job): Promise<void> {
    if (!(await this.holdsTurn(data, job.id))) return;
    await this.delivery.sendReplyToTelegram(data);
    await this.finishTurn(data);
  }

  onRetry(_job: Job, error: Error): void {
    this.metrics.replies.inc({ outcome: 'retried', reason: 'code' in error && typeof error.code === 'string' ? error.code : 'error' });
  }

  /** Past the delivery horizon or permanent: Failed receipt, dead-letter (failed set, counted and logged by the host), and the chat moves on. */
  async onDeadLetter({ job, code, reason }: FinalFailure): Promise<void> {
    const parsed = TelegramReplyReadyV1.safeParse(job.data);
    if (!parsed.success) return; // unreadable: no reply to report, no turn it could hold
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
