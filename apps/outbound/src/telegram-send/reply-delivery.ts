import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ChatBlockedError, PermanentError, type TelegramReplyReadyV1 } from '@tgg/contracts';
import { chatRefOf } from '@tgg/chat-turns';
import { ChannelDirectory, ConversationRepository, type ChannelRecord } from '@tgg/data';
import { LOGGER, METRICS, TelegramBots } from '@tgg/service-runtime';
import { receiptReasonFor } from '@tgg/telegram';
import { inSpanFromCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { ReplyBookkeeping, type FailureReason } from './reply-bookkeeping.js';
import { planReply, type ReplyPlan } from './send-plan.js';
import { SentSteps } from './sent-steps.js';
import { TelegramStepSender } from './telegram-step.sender.js';
import { messageOf } from '../error-message.js';

type MessagePlan = Extract<ReplyPlan, { kind: 'send' | 'unsupported' }>;

/**
 * Sends one agent reply to its Telegram chat: finds the conversation (a customer who never wrote
 * cannot be messaged; a customer who blocked the bot is not tried), sends the reply's steps from
 * where an earlier attempt stopped, and records the outcome. Errors it does not settle itself
 * (429, 5xx, timeouts, other 4xx) go up to the processor: retried, or dead-lettered with a receipt.
 */
@Injectable()
export class ReplyDelivery {
  constructor(
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
    @Inject(TelegramBots) private readonly bots: TelegramBots,
    @Inject(TelegramStepSender) private readonly steps: TelegramStepSender,
    @Inject(ReplyBookkeeping) private readonly book: ReplyBookkeeping,
    @Inject(SentSteps) private readonly sentSteps: SentSteps,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sendReplyToTelegram(job: TelegramReplyReadyV1): Promise<void> {
    const channel = await this.channels.get(job.channel);
    if (!channel) throw new PermanentError(`channel ${job.channel} does not exist`, 'unknown_channel');
    const plan = planReply(job.reply);
    if (plan.kind === 'ignore') {
      this.metrics.replies.inc({ outcome: 'ignored', reason: plan.reason });
      return;
    }
    if (plan.kind === 'typing') return this.showTyping(channel, job, plan.durationMs);
    const attributes = { 'tgg.channel': job.channel, 'tgg.genesys_message_id': job.reply.id };
    await inSpanFromCarrier('outbound.send', job.trace, attributes, async (span) => {
      const processingTimeMs = await this.sendMessages(channel, job, plan);
      if (processingTimeMs !== undefined) span.setAttribute('processing_time_ms', processingTimeMs);
    });
  }

  /** After the processor gave up on the job. */
  async giveUp(job: TelegramReplyReadyV1, failure: { code: string; reason: string; horizonReached: boolean }): Promise<void> {
    const kind = planReply(job.reply).kind;
    if (kind === 'typing' || kind === 'ignore') return;
    await this.book.deadLettered(job, await this.channels.get(job.channel), failure);
  }

  /** Returns the processing time, or undefined when nothing was sent now. */
  private async sendMessages(channel: ChannelRecord, job: TelegramReplyReadyV1, plan: MessagePlan): Promise<number | undefined> {
    const claim = await this.book.claim(channel, job);
    // A dead-lettered reply runs again only when an operator replays it (`dlq replay`): send it, from where it stopped.
    if (claim.status === 'delivered' || claim.status === 'failed') return this.book.replayed(job, claim);
    const conversation = await this.conversations.find(channel.id, job.chatId);
    if (!conversation) {
      const reason: FailureReason = { code: 'InvalidDestination', message: 'no conversation with this chat: the customer never wrote to the bot, and bots cannot write first' };
      return this.book.failed(job, claim, reason, 'unknown_chat');
    }
    if (conversation.blocked) {
      return this.book.failed(job, claim, { code: 'RecipientOptedOut', message: 'the customer blocked the bot' }, 'blocked');
    }
    if (plan.kind === 'unsupported') return this.book.failed(job, claim, { code: plan.code, message: plan.message }, 'failed');

    const client = this.bots.clientFor(channel);
    const chatRef = chatRefOf(job.channel, job.chatId);
    const to = { channel: job.channel, chatId: job.chatId, genesysMessageId: job.reply.id };
    let firstMessageId: number | undefined;
    let notice: FailureReason | undefined;
    // Steps already sent by an earlier attempt are not known here: a resumed reply reports only what this run saw.
    let degraded: FailureReason | undefined = plan.degraded;
    for (let index = claim.partsSent; index < plan.steps.length; index++) {
      // In range: the loop bounds the index (noUncheckedIndexedAccess cannot see that).
      const step = plan.steps[index] as (typeof plan.steps)[number];
      // Telegram has it already when an earlier attempt sent it but could not record that (Postgres away).
      let outcome = await this.sentSteps.recall(job, index);
      if (!outcome) {
        try {
          outcome = await this.steps.send(client, chatRef, to, step);
        } catch (error) {
          if (error instanceof ChatBlockedError) {
            // Terminal until the customer unblocks (my_chat_member clears the flag): no retries, tell the agent.
            await this.conversations.setBlocked(channel.id, job.chatId, true, Date.now());
            return this.book.failed(job, claim, receiptReasonFor(error), 'blocked');
          }
          await this.book.recordError(claim, error);
          throw error;
        }
        // Remembered before the database writes below: if they fail, the retry must not send it again.
        await this.sentSteps.remember(job, index, outcome);
      }
      firstMessageId ??= outcome.messageId;
      notice ??= outcome.failure;
      degraded = mergedReasons(degraded, outcome.degraded);
      // The last step needs no progress mark: "delivered" follows at once.
      if (index + 1 < plan.steps.length && outcome.messageId !== undefined) await this.book.partSent(claim, index + 1, outcome.messageId);
    }
    return this.book.succeeded(job, channel, claim, firstMessageId, { notice, degraded });
  }

  /** Typing is a hint, not a message: stale or failed ones are dropped, never retried (https://core.telegram.org/bots/api#sendchataction). */
  private async showTyping(channel: ChannelRecord, job: TelegramReplyReadyV1, durationMs: number): Promise<void> {
    if (Date.now() - job.receivedAtMs > durationMs) {
      this.metrics.replies.inc({ outcome: 'ignored', reason: 'typing_stale' });
      return;
    }
    const conversation = await this.conversations.find(channel.id, job.chatId);
    if (!conversation || conversation.blocked) {
      this.metrics.replies.inc({ outcome: 'ignored', reason: conversation ? 'typing_blocked' : 'typing_unknown_chat' });
      return;
    }
    try {
      await this.steps.sendTyping(this.bots.clientFor(channel), job.chatId);
      this.metrics.replies.inc({ outcome: 'typing', reason: '' });
    } catch (error) {
      if (error instanceof ChatBlockedError) await this.conversations.setBlocked(channel.id, job.chatId, true, Date.now());
      this.metrics.replies.inc({ outcome: 'ignored', reason: 'typing_failed' });
      this.logger.debug({ channel: job.channel, chatId: job.chatId, err: { message: messageOf(error) } }, 'typing indicator not shown');
    }
  }
}

/** One reason for the receipt: Genesys shows `reasons[]`, and one line per degradation reads best in one message. */
function mergedReasons(a: FailureReason | undefined, b: FailureReason | undefined): FailureReason | undefined {
  if (!a || !b) return a ?? b;
  return { code: a.code, message: `${a.message}; ${b.message}` };
}
