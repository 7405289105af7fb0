import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { PermanentError, RetryableError, type GenesysMessageReadyV1, type OrderKey } from '@tgg/contracts';
import { turnJobId } from '@tgg/chat-turns';
import { ChannelDirectory, ConversationRepository, InboundDeliveryRepository, MessageRepository, memberEventAtMs, type ChannelRecord } from '@tgg/data';
import { OpenMessagingClient, toGenesysInboundMessage, toGenesysStructuredResponse, toGenesysTapAsText, type ButtonTapMappingInput } from '@tgg/genesys';
import { LOGGER, METRICS, WORKER_REDIS } from '@tgg/service-runtime';
import { MediaLinkStore, type MediaLinkRecord } from '@tgg/telegram';
import { inSpanFromCarrier, type BridgeMetrics } from '@tgg/telemetry';

type MessageItem = Extract<GenesysMessageReadyV1['item'], { kind: 'message' | 'edited_message' }>;
type TapItem = Extract<GenesysMessageReadyV1['item'], { kind: 'button_tap' }>;
/** An item that takes its chat's turn: a message, an edit or a tap. */
type OrderedItem = MessageItem | TapItem;
type MessageJob = GenesysMessageReadyV1 & { item: OrderedItem; orderKey: OrderKey };

interface AcceptedByGenesys {
  genesysMessageId?: string;
  conversationId?: string;
}

// How long "Genesys already has this one" is remembered in Redis, for retries whose database write failed.
const ACCEPTED_MEMORY_S = 24 * 3600;

/** Forwards one released message to Genesys exactly once, then records the mapping and the log. */
@Injectable()
export class InboundDelivery {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(MessageRepository) private readonly messages: MessageRepository,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
    @Inject(InboundDeliveryRepository) private readonly acceptedLog: InboundDeliveryRepository,
    @Inject(OpenMessagingClient) private readonly genesys: OpenMessagingClient | undefined,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(MediaLinkStore) private readonly mediaLinks: MediaLinkStore,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(job: GenesysMessageReadyV1): Promise<void> {
    const channel = await this.channels.get(job.channel);
    if (!channel) throw new PermanentError(`channel ${job.channel} does not exist`, 'unknown_channel');
    const { item } = job;
    if (item.kind === 'my_chat_member') {
      const blocked = item.member.new_chat_member.status === 'kicked';
      // These take no per-chat turn and may be retried out of order: the repository keeps the newest change.
      const applied = await this.conversations.setBlocked(channel.id, job.chatId, blocked, memberEventAtMs(item.member.date), job.updateId);
      const fields = { channel: job.channel, chatId: job.chatId, updateId: job.updateId, blocked };
      if (applied === 'stale') this.logger.info(fields, 'older block/unblock ignored: a newer one is already applied');
      else this.logger.info(fields, blocked ? 'customer blocked the bot' : 'customer unblocked the bot');
      return;
    }
    const { orderKey } = job;
    // The sequencer gives every message its turn; only my_chat_member (above) comes without one.
    if (orderKey === null) throw new PermanentError(`update ${job.updateId} is a message without an order key`, 'invalid_job');
    await inSpanFromCarrier('dispatcher.deliver', job.trace, { 'tgg.channel': job.channel, 'tgg.update_id': job.updateId }, async (span) => {
      const processingTimeMs = await this.deliverMessage(channel, { ...job, item, orderKey });
      if (processingTimeMs !== undefined) span.setAttribute('processing_time_ms', processingTimeMs);
    });
  }

  async markDeadLettered(job: GenesysMessageReadyV1, reason: string): Promise<void> {
    if (job.item.kind === 'my_chat_member') return;
    const channel = await this.channels.get(job.channel);
    if (!channel) return;
    const claim = await this.messages.claimInbound(this.keyOf(channel, { ...job, item: job.item }), job.updateId, undefined);
    await this.messages.markFinal(claim.id, 'dead_lettered', reason);
  }

  /** Returns the processing time, or undefined when the message had already been delivered. */
  private async deliverMessage(channel: ChannelRecord, job: MessageJob): Promise<number | undefined> {
    // Keyed by the message, not by the job: a replayed dead letter runs under a new job id.
    const acceptedKey = `${this.config.redis.queuePrefix}:genesys-accepted:${turnJobId({ channel: job.channel, chatId: job.chatId, orderKey: job.orderKey })}`;
    const claim = await this.messages.claimInbound(this.keyOf(channel, job), job.updateId, bodyOf(job.item));
    if (claim.status === 'delivered') {
      this.metrics.updates.inc({ outcome: 'duplicate', reason: 'already_delivered' });
      return undefined;
    }
    // Every attempt claims (and counts) before it posts, so on the first attempt nothing can have
    // been posted yet: only a later attempt needs to ask whether Genesys already took the message.
    let accepted = claim.attempts > 1 ? parseAccepted(await this.redis.get(acceptedKey)) : undefined;
    if (!accepted) {
      accepted = await this.postToGenesys(channel, job, claim.id);
      // Remembered before the database writes below: if they fail, the retry must not post again.
      await this.redis.set(acceptedKey, JSON.stringify(accepted), 'EX', ACCEPTED_MEMORY_S);
    }
    const nowMs = Date.now();
    const from = job.item.kind === 'button_tap' ? job.item.tap.from : job.item.message.from;
    await this.acceptedLog.recordAccepted({
      messageRowId: claim.id,
      channelId: channel.id,
      chatId: job.chatId,
      genesysConversationId: accepted.conversationId,
      genesysMessageId: accepted.genesysMessageId,
      profile: { username: from?.username, firstName: from?.first_name, lastName: from?.last_name, languageCode: from?.language_code },
      atMs: nowMs,
    });
    const processingTimeMs = nowMs - job.receivedAtMs;
    this.metrics.observeProcessingTime({ direction: 'inbound', channel: job.channel }, processingTimeMs / 1000);
    this.metrics.updates.inc({ outcome: 'delivered', reason: '' });
    this.logger.debug({ channel: job.channel, chatId: job.chatId, updateId: job.updateId, processingTimeMs }, 'delivered to Genesys');
    return processingTimeMs;
  }

  private async postToGenesys(channel: ChannelRecord, job: MessageJob, messageRowId: string): Promise<AcceptedByGenesys> {
    const { genesys } = this;
    if (!genesys) throw new RetryableError('no Genesys OAuth client configured', 'genesys_not_configured', 60_000);
    const integrationId = channel.genesysIntegrationId;
    if (!integrationId) throw new PermanentError(`channel ${channel.name} has no Genesys integration id`, 'channel_without_integration');
    const { item } = job;
    const post =
      item.kind === 'button_tap'
        ? () => this.postTap(genesys, integrationId, { chatId: job.chatId, tap: item.tap, updateId: job.updateId, receivedAtMs: job.receivedAtMs, botUsername: channel.name })
        : () => this.postMessage(genesys, integrationId, channel, { ...job, item });
    try {
      return await post();
    } catch (error) {
      // Bookkeeping only: the delivery error below is what decides the retry, so a failed write must not replace it.
      await this.messages.recordError(messageRowId, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A tap → /inbound/open/structured/response. Genesys refuses (4xx) a response whose
   * originatingMessageId belongs to a conversation that has ended since the keyboard was sent; the
   * customer's choice then goes to the chat's current conversation as a text message with the
   * chosen label, rather than to the dead letters: it is still the customer's answer, and the
   * agent of the new conversation can read it. Retries and the horizon apply to both requests.
   */
  private async postTap(genesys: OpenMessagingClient, integrationId: string, input: ButtonTapMappingInput): Promise<AcceptedByGenesys> {
    try {
      const response = await genesys.sendStructuredResponse(integrationId, toGenesysStructuredResponse(input));
      return { genesysMessageId: response.id, conversationId: response.conversationId };
    } catch (error) {
      if (!(error instanceof PermanentError) || !/^genesys_4\d\d$/.test(error.code) || error.code === 'genesys_403') throw error;
      this.logger.warn({ chatId: input.chatId, updateId: input.updateId, err: { message: error.message } }, 'Genesys refused the tap as a response to its question (its conversation ended?); sending the chosen label as text');
      const response = await genesys.sendInboundMessage(integrationId, toGenesysTapAsText(input));
      return { genesysMessageId: response.id, conversationId: response.conversationId };
    }
  }

  private async postMessage(genesys: OpenMessagingClient, integrationId: string, channel: ChannelRecord, job: MessageJob & { item: MessageItem }): Promise<AcceptedByGenesys> {
    const nowS = Math.floor(Date.now() / 1000);
    const expiresAtS = nowS + this.config.media.urlTtlS;
    const linkRecords: MediaLinkRecord[] = [];
    const inbound = toGenesysInboundMessage(
      { chatId: job.chatId, kind: job.item.kind, message: job.item.message, updateId: job.updateId, botUsername: channel.name },
      (file) => {
        const record = { channel: channel.name, ...file };
        linkRecords.push(record);
        return `${this.config.http.publicBaseUrl}${this.mediaLinks.linkOf(record, expiresAtS).path}`;
      },
    );
    // Stored before Genesys sees the link: it may fetch the file the moment it accepts the message.
    await this.mediaLinks.save(linkRecords, expiresAtS, nowS);
    const response = await genesys.sendInboundMessage(integrationId, inbound);
    return { genesysMessageId: response.id, conversationId: response.conversationId };
  }

  /** The message log's key: a tap is logged under the keyboard's message, variant `t<update_id>`. */
  private keyOf(channel: ChannelRecord, job: GenesysMessageReadyV1 & { item: OrderedItem }) {
    const { item } = job;
    const base = { channelId: channel.id, chatId: job.chatId };
    if (item.kind === 'button_tap') return { ...base, telegramMessageId: item.tap.keyboardMessageId, variant: `t${job.updateId}` };
    const { message } = item;
    return { ...base, telegramMessageId: message.message_id, variant: item.kind === 'edited_message' ? `e${message.edit_date ?? message.date}` : 'm' };
  }
}

function bodyOf(item: OrderedItem): string | undefined {
  return item.kind === 'button_tap' ? item.tap.text : (item.message.text ?? item.message.caption);
}

function parseAccepted(text: string | null): AcceptedByGenesys | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as AcceptedByGenesys; // written by this class just above
  } catch {
    return undefined;
  }
}
