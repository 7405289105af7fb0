import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { PermanentError, RetryableError, type ReceiptReasonCode, type TelegramReplyReadyV1 } from '@tgg/contracts';
import { ConversationRepository, MessageRepository, type ChannelRecord, type MessageState } from '@tgg/data';
import { LOGGER, METRICS } from '@tgg/service-runtime';
import { receiptReasonFor } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { DeliveryReceipts } from '../genesys-receipts/delivery-receipts.js';
import { planReply } from './send-plan.js';

export type FailureReason = { code: ReceiptReasonCode; message: string };

/**
 * What a reply's delivery leaves behind: the message log row (claimed by Genesys message id, so a
 * redelivered webhook or a re-run job finds it), the receipt to Genesys, metrics and log lines.
 * Logs carry identifiers, never the reply's text.
 */
@Injectable()
export class ReplyBookkeeping {
  constructor(
    @Inject(MessageRepository) private readonly messages: MessageRepository,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
    @Inject(DeliveryReceipts) private readonly receipts: DeliveryReceipts,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async claim(channel: ChannelRecord, job: TelegramReplyReadyV1): Promise<MessageState> {
    return this.messages.claimOutbound(channel.id, job.chatId, job.reply.id, job.reply.text);
  }

  /** The row says this reply was already dealt with (a redelivery, or a re-run after a crash). */
  async replayed(job: TelegramReplyReadyV1, claim: MessageState): Promise<undefined> {
    this.metrics.replies.inc({ outcome: 'duplicate', reason: claim.status });
    // A crash between "delivered" and queueing its receipt would lose the receipt: queue it again (same job id).
    if (claim.status === 'delivered') {
      const plan = planReply(job.reply);
      await this.receipts.delivered(job.channel, job.reply, job.trace, plan.kind === 'send' ? plan.degraded : undefined);
    }
    return undefined;
  }

  /** Progress of a reply sent in several messages, so a re-run resumes after the last one sent. */
  async partSent(claim: MessageState, partsSent: number, telegramMessageId: number): Promise<void> {
    await this.messages.recordPartSent(claim.id, partsSent, telegramMessageId);
  }

  async recordError(claim: MessageState, error: unknown): Promise<void> {
    // Bookkeeping only: the send error is what decides the retry, so a failed write must not replace it.
    await this.messages.recordError(claim.id, error instanceof Error ? error.message : String(error)).catch(() => undefined);
  }

  /**
   * Telegram accepted every step: Delivered (or Failed when a step could only be a notice); a
   * Delivered receipt names what was `degraded`, if anything. Returns the processing time.
   */
  async succeeded(
    job: TelegramReplyReadyV1,
    channel: ChannelRecord,
    claim: MessageState,
    firstMessageId: number | undefined,
    { notice, degraded }: { notice?: FailureReason | undefined; degraded?: FailureReason | undefined },
  ): Promise<number | undefined> {
    if (notice) return this.failed(job, claim, notice, 'failed');
    const nowMs = Date.now();
    // Resumed replies keep the id of their first part, recorded when it was sent.
    await this.messages.markDelivered(claim.id, nowMs, claim.partsSent === 0 && firstMessageId !== undefined ? { telegramMessageId: firstMessageId } : {});
    await this.conversations.touchOutbound(channel.id, job.chatId, nowMs);
    await this.receipts.delivered(job.channel, job.reply, job.trace, degraded);
    const processingTimeMs = nowMs - job.receivedAtMs;
    this.metrics.observeProcessingTime({ direction: 'outbound', channel: job.channel }, processingTimeMs / 1000);
    this.metrics.replies.inc({ outcome: 'delivered', reason: degraded ? degraded.code : '' });
    this.logger.debug({ channel: job.channel, chatId: job.chatId, genesysMessageId: job.reply.id, processingTimeMs }, 'reply delivered to Telegram');
    return processingTimeMs;
  }

  /**
   * A final failure reported to Genesys. The receipt is queued before the row is marked: a crash in
   * between re-runs the job, which queues the same receipt job id again instead of losing it.
   */
  async failed(job: TelegramReplyReadyV1, claim: MessageState, reason: FailureReason, outcome: 'failed' | 'blocked' | 'unknown_chat'): Promise<undefined> {
    await this.receipts.failed(job.channel, job.reply, reason, job.trace);
    await this.messages.markFinal(claim.id, 'failed', `${reason.code}: ${reason.message}`);
    this.metrics.replies.inc({ outcome: outcome === 'unknown_chat' ? 'failed' : outcome, reason: reason.code });
    const fields = { channel: job.channel, chatId: job.chatId, genesysMessageId: job.reply.id, reason: reason.code };
    if (outcome === 'unknown_chat') this.logger.warn(fields, 'reply to a chat with no conversation (the customer never wrote to the bot): sent a Failed receipt');
    else this.logger.info({ ...fields, detail: reason.message }, 'reply not delivered: sent a Failed receipt');
    return undefined;
  }

  /**
   * Past the delivery horizon, or a permanent error: the job is dead-lettered (failed set; the worker
   * host counts it) and Genesys gets a Failed receipt. The log line names the chat and reply.
   */
  async deadLettered(job: TelegramReplyReadyV1, channel: ChannelRecord | undefined, failure: { code: string; reason: string; horizonReached: boolean }): Promise<void> {
    this.metrics.replies.inc({ outcome: 'dead_lettered', reason: failure.code });
    this.logger.error({ channel: job.channel, chatId: job.chatId, genesysMessageId: job.reply.id, code: failure.code, reason: failure.reason }, 'reply dead-lettered; replay with `npm run cli -- dlq replay`');
    const error = failure.horizonReached ? new RetryableError(failure.reason, failure.code) : new PermanentError(failure.reason, failure.code);
    await this.receipts.failed(job.channel, job.reply, receiptReasonFor(error), job.trace);
    if (!channel) return;
    const claim = await this.claim(channel, job);
    await this.messages.markFinal(claim.id, 'dead_lettered', `${failure.code}: ${failure.reason}`);
  }
}
