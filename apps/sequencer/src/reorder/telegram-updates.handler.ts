import { Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { PermanentError, TelegramUpdate, TelegramUpdateReceivedV1, forwardableOf, incomingChatIdOf, type GenesysMessageReadyV1 } from '@tgg/contracts';
import { LOGGER, METRICS, TURN_MACHINERY, QueueJobHandler, type JobHandler } from '@tgg/service-runtime';
import { ChatTurnStore, QueueName, toJobId, type FinalFailure, type TurnMachinery } from '@tgg/queues';
import { inSpanFromCarrier, injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { orderKeyOf, orderKeyString } from './reorder-buffer.js';


/**
 * Consumes accepted webhook updates and puts each chat's messages into its reorder buffer in
 * Redis (ChatTurnStore). Concurrency > 1 is safe: every buffer operation is one atomic script,
 * and Telegram itself sends one update per chat at a time.
 */
@QueueJobHandler({ queue: QueueName.TelegramUpdates, job: 'telegram-update-received.v1', concurrency: 50 })
export class TelegramUpdatesHandler implements JobHandler<'telegram-update-received.v1'> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TURN_MACHINERY) private readonly turns: TurnMachinery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  handle(data: TelegramUpdateReceivedV1): Promise<void> {
    return this.bufferUpdate(data);
  }

  /** The host counted and logged the dead letter. */
  async onDeadLetter({ job, code }: FinalFailure): Promise<void> {
    await this.clearIncomingMark(job.data);
    this.metrics.updates.inc({ outcome: 'dead_lettered', reason: code });
  }

  /** A dead-lettered update will never be accepted: stop it holding its chat back. */
  private async clearIncomingMark(data: unknown): Promise<void> {
    const parsed = TelegramUpdateReceivedV1.safeParse(data);
    const chatId = parsed.success ? incomingChatIdOf(parsed.data.update) : undefined;
    if (parsed.success && chatId) await this.turns.store.clearIncoming(ChatTurnStore.chatRef(parsed.data.channel, chatId), parsed.data.update.update_id);
  }

  async bufferUpdate(job: TelegramUpdateReceivedV1): Promise<void> {
    const parsed = TelegramUpdate.safeParse(job.update);
    if (!parsed.success) {
      throw new PermanentError(`update ${job.update.update_id} is not a valid Telegram update (${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')})`, 'invalid_update');
    }
    const forwardable = forwardableOf(parsed.data);
    if (!forwardable) {
      this.metrics.updates.inc({ outcome: 'ignored', reason: 'kind' });
      return;
    }
    const base = { channel: job.channel, updateId: job.update.update_id, receivedAtMs: job.receivedAtMs, replayedAtMs: job.replayedAtMs, trace: job.trace };
    if (forwardable.kind === 'my_chat_member') {
      // Block/unblock takes no turn: it changes what outbound may send, not what Genesys receives.
      const chatId = String(forwardable.member.chat.id);
      const item: GenesysMessageReadyV1 = { ...base, chatId, orderKey: '', item: { kind: 'my_chat_member', member: forwardable.member } };
      await this.turns.producer.add(item, { jobId: toJobId('member', job.channel, job.update.update_id) });
      return;
    }
    await inSpanFromCarrier('sequencer.buffer', job.trace, { 'tgg.channel': job.channel, 'tgg.update_id': job.update.update_id }, async () => {
      const chatId = String(forwardable.message.chat.id);
      const orderKey = orderKeyOrPermanentError(forwardable.kind, forwardable.message);
      // The dispatcher continues from this span, so the trace reads ingress → sequencer → dispatcher.
      const item: GenesysMessageReadyV1 = { ...base, trace: injectTraceCarrier(), chatId, orderKey, item: { kind: forwardable.kind, message: forwardable.message } };
      const chatRef = ChatTurnStore.chatRef(job.channel, chatId);
      const nowMs = Date.now();
      const outcome = await this.turns.store.accept(chatRef, orderKey, JSON.stringify(item), nowMs, this.config.sequencer.windowMs, job.update.update_id);
      if (outcome === 'duplicate') {
        this.metrics.updates.inc({ outcome: 'duplicate', reason: 'message_id' });
        return;
      }
      if (outcome === 'late') {
        this.metrics.updates.inc({ outcome: 'late', reason: '' });
        this.logger.info({ channel: job.channel, chatId, updateId: job.update.update_id }, 'message arrived after its window; sending it late');
      }
      // Late items and a zero window need no sweep: hand the chat its next turn now.
      if (outcome === 'late' || this.config.sequencer.windowMs === 0) await this.turns.scheduler.advance(chatRef, nowMs, { recheck: false });
    });
  }
}

/** Ids beyond Telegram's documented ranges cannot be ordered; retrying would not change that. */
function orderKeyOrPermanentError(kind: 'message' | 'edited_message', message: { message_id: number; date: number; edit_date?: number | undefined }): string {
  try {
    return orderKeyString(...orderKeyOf(kind, message));
  } catch (error) {
    throw new PermanentError(`message ${message.message_id} cannot be ordered: ${(error as Error).message}`, 'unorderable_message');
  }
}
