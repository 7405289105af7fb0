import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { TelegramReplyReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, OUTBOUND_TURNS, QueueJobHandler, type JobHandler, type OutboundTurns } from '@tgg/service-runtime';
import { QueueName, type FinalFailure } from '@tgg/queues';
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
@QueueJobHandler({ queue: QueueName.TelegramSends, job: 'telegram-reply-ready.v1', concurrency: CONCURRENCY })
export class TelegramSendsHandler implements JobHandler<'telegram-reply-ready.v1'> {
  constructor(
    @Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns,
    @Inject(ReplyDelivery) private readonly delivery: ReplyDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(data: TelegramReplyReadyV1, job: Job): Promise<void> {
    // A replayed dead letter waits for its chat's turn, so a chat's replayed replies keep their order.
    if ((await this.turns.takeTurn(data, job.id)) !== 'turn') return;
    await this.delivery.sendReplyToTelegram(data);
    await this.turns.finishTurn(data);
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
    await this.turns.finishTurn(parsed.data);
  }
}
