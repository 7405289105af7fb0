import { Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { PermanentError, TelegramUpdate, TelegramUpdateReceivedV1, chatIdOf, forwardableOf, incomingChatIdOf, type GenesysMessageReadyV1, type OrderKey } from '@tgg/contracts';
import { INBOUND_TURNS, LOGGER, METRICS, QueueJobHandler, type InboundTurns, type JobHandler } from '@tgg/service-runtime';
import { QueueName, toJobId, type FinalFailure } from '@tgg/queues';
import { orderKeyOf, orderKeyString } from '@tgg/chat-turns';
import { inSpanFromCarrier, injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { ButtonTapItems } from './button-tap-items.js';

/**
 * Consumes accepted webhook updates and puts each chat's messages into its reorder buffer in
 * Redis (@tgg/chat-turns). Concurrency > 1 is safe: every buffer operation is one atomic script,
 * and Telegram itself sends one update per chat at a time.
 */
@QueueJobHandler({ queue: QueueName.TelegramUpdates, job: 'telegram-update-received.v1', concurrency: 50 })
export class TelegramUpdatesHandler implements JobHandler<'telegram-update-received.v1'> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INBOUND_TURNS) private readonly turns: InboundTurns,
    @Inject(ButtonTapItems) private readonly taps: ButtonTapItems,
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
    if (parsed.success && chatId) await this.turns.incoming.clear({ channel: parsed.data.channel, chatId }, parsed.data.update.update_id);
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
      const chatId = chatIdOf(forwardable.member.chat.id);
      const item: GenesysMessageReadyV1 = { ...base, chatId, orderKey: null, item: { kind: 'my_chat_member', member: forwardable.member } };
      await this.turns.sendWithoutTurn(item, toJobId('member', job.channel, job.update.update_id));
      return;
    }
    await inSpanFromCarrier('sequencer.buffer', job.trace, { 'tgg.channel': job.channel, 'tgg.update_id': job.update.update_id }, async () => {
      let ordered: Pick<GenesysMessageReadyV1, 'chatId' | 'item'> & { orderKey: OrderKey };
      if (forwardable.kind === 'callback_query') {
        const tap = await this.taps.itemOf(job.channel, forwardable.query, job.update.update_id, job.receivedAtMs);
        if (!tap) {
          await this.clearIncomingMark(job);
          this.metrics.updates.inc({ outcome: 'ignored', reason: 'tap_expired' });
          return;
        }
        ordered = tap;
      } else {
        const orderKey = orderKeyOrPermanentError(forwardable.kind, forwardable.message);
        ordered = { chatId: chatIdOf(forwardable.message.chat.id), orderKey, item: { kind: forwardable.kind, message: forwardable.message } };
      }
      const { chatId } = ordered;
      // The dispatcher continues from this span, so the trace reads ingress → sequencer → dispatcher.
      const item: GenesysMessageReadyV1 & { orderKey: OrderKey } = { ...base, trace: injectTraceCarrier(), ...ordered };
      // Late items and a zero window need no sweep: accept hands the chat its next turn itself.
      const outcome = await this.turns.accept(item, { windowMs: this.config.sequencer.windowMs, incomingId: job.update.update_id });
      if (outcome === 'duplicate') {
        this.metrics.updates.inc({ outcome: 'duplicate', reason: 'message_id' });
        return;
      }
      if (outcome === 'late') {
        this.metrics.updates.inc({ outcome: 'late', reason: '' });
        this.logger.info({ channel: job.channel, chatId, updateId: job.update.update_id }, 'message arrived after its window; sending it late');
      }
    });
  }
}

/** Ids beyond Telegram's documented ranges cannot be ordered; retrying would not change that. */
function orderKeyOrPermanentError(kind: 'message' | 'edited_message', message: { message_id: number; date: number; edit_date?: number | undefined }): OrderKey {
  try {
    return orderKeyString(...orderKeyOf(kind, message));
  } catch (error) {
    throw new PermanentError(`message ${message.message_id} cannot be ordered: ${(error as Error).message}`, 'unorderable_message');
  }
}
