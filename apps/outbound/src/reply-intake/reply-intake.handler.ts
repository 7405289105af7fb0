import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { GenesysReplyReceivedV1, PermanentError, type TelegramReplyReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, OUTBOUND_TURNS, QueueJobHandler, type JobHandler, type OutboundTurns } from '@tgg/service-runtime';
import { QueueName, type FinalFailure } from '@tgg/queues';
import { inSpanFromCarrier, injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { DeliveryReceipts } from '../genesys-receipts/delivery-receipts.js';
import { replyOrderKey, telegramChatIdOf } from './reply-order-key.js';

/**
 * Consumes genesys-replies (the webhook's durable queue) and puts each reply into its chat's turn
 * queue in Redis with window 0: no hold-back, but while a chat has a reply in flight the next ones
 * wait their turn, ordered by (channel.time, arrival). Concurrency > 1 is safe: every turn
 * operation is one atomic script, and the order key comes from the stored job, not from when this
 * handler happens to run.
 */
@QueueJobHandler({ queue: QueueName.GenesysReplies, job: 'genesys-reply-received.v1', concurrency: 20 })
export class ReplyIntakeHandler implements JobHandler<'genesys-reply-received.v1'> {
  constructor(
    @Inject(OUTBOUND_TURNS) private readonly turns: OutboundTurns,
    @Inject(DeliveryReceipts) private readonly receipts: DeliveryReceipts,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  handle(data: GenesysReplyReceivedV1, job: Job): Promise<void> {
    return this.queueReplyTurn(data, job);
  }

  /** Dead-lettered before reaching its chat queue (the host counted and logged it). */
  async onDeadLetter({ job, code }: FinalFailure): Promise<void> {
    this.metrics.replies.inc({ outcome: 'dead_lettered', reason: code });
    await this.clearIncomingMark(job.data);
  }

  /** A dead-lettered reply will never join its chat's line: stop it holding the chat back. */
  private async clearIncomingMark(data: unknown): Promise<void> {
    const parsed = GenesysReplyReceivedV1.safeParse(data);
    const chatId = parsed.success ? telegramChatIdOf(parsed.data.reply.channel.to.id) : undefined;
    if (parsed.success && chatId) await this.turns.incoming.clear({ channel: parsed.data.channel, chatId }, parsed.data.reply.id);
  }

  async queueReplyTurn(received: GenesysReplyReceivedV1, job: Job): Promise<void> {
    const { reply } = received;
    await inSpanFromCarrier('outbound.intake', received.trace, { 'tgg.channel': received.channel, 'tgg.genesys_message_id': reply.id }, async () => {
      const chatId = telegramChatIdOf(reply.channel.to.id);
      if (!chatId) {
        // Not a chat id we ever sent: answered with a receipt, since the webhook already said 200.
        this.metrics.replies.inc({ outcome: 'failed', reason: 'InvalidDestination' });
        this.logger.warn({ channel: received.channel, genesysMessageId: reply.id }, 'reply addressed to something that is not a Telegram chat id: sent a Failed receipt');
        await this.receipts.failed(received.channel, reply, { code: 'InvalidDestination', message: 'channel.to.id is not a Telegram chat id' }, received.trace);
        return;
      }
      const arrivalSequence = Number(job.id);
      // Jobs of this queue are numbered by BullMQ (the webhook gives no job id); anything else is not ours.
      if (!Number.isSafeInteger(arrivalSequence)) throw new PermanentError(`genesys-replies job ${job.id} has no arrival number`, 'invalid_job_id');
      const orderKey = replyOrderKey(reply.channel.time, arrivalSequence, received.receivedAtMs);
      const item: TelegramReplyReadyV1 = { channel: received.channel, chatId, orderKey, reply, receivedAtMs: received.receivedAtMs, replayedAtMs: received.replayedAtMs, trace: injectTraceCarrier() };
      // Window 0: accept hands the chat its next turn itself (rechecking it when this job is a re-run after a crash).
      const outcome = await this.turns.accept(item, { windowMs: 0, incomingId: reply.id });
      if (outcome === 'late') this.metrics.replies.inc({ outcome: 'late', reason: '' });
    });
  }
}
