import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { OrderKey, PermanentError, chatIdOf, type CallbackQuery, type ChatId, type GenesysMessageReadyV1 } from '@tgg/contracts';
import { tapOrderKeyAfter } from '@tgg/chat-turns';
import { INBOUND_TURNS, WORKER_REDIS, type InboundTurns } from '@tgg/service-runtime';
import { KeyboardButtonStore } from '@tgg/telegram';

// As long as the turn store remembers released keys (25 h): a retry within it finds the same key.
const TAP_KEY_MEMORY_S = 25 * 3600;

export type TapItem = { chatId: ChatId; orderKey: OrderKey; item: Extract<GenesysMessageReadyV1['item'], { kind: 'button_tap' }> };

/**
 * Turns a tap ingress accepted into its chat's next item. Its order key is "after what the chat
 * has when it arrives" (tapOrderKeyAfter), which a retry of this job would compute differently;
 * so the first key is kept per tap and reused, and a retried job is then a plain duplicate.
 */
@Injectable()
export class ButtonTapItems {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INBOUND_TURNS) private readonly turns: InboundTurns,
    @Inject(KeyboardButtonStore) private readonly buttons: KeyboardButtonStore,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
  ) {}

  /** Undefined when the tap names no live button of the bridge any more (ingress checked it; it can have expired since). */
  async itemOf(channel: string, query: CallbackQuery, updateId: number, receivedAtMs: number): Promise<TapItem | undefined> {
    const button = await this.buttons.find(query.data);
    if (!button || !query.message) return undefined;
    const chatId = chatIdOf(query.message.chat.id);
    const orderKey = await this.stickyOrderKey(channel, chatId, query.id, updateId, receivedAtMs);
    const tap = {
      callbackQueryId: query.id,
      keyboardMessageId: query.message.message_id,
      from: query.from,
      originatingMessageId: button.originatingMessageId,
      type: button.type,
      text: button.text,
      payload: button.payload,
    };
    return { chatId, orderKey, item: { kind: 'button_tap', tap } };
  }

  private async stickyOrderKey(channel: string, chatId: ChatId, tapId: string, updateId: number, receivedAtMs: number): Promise<OrderKey> {
    const highest = await this.turns.highestKey({ channel, chatId });
    let candidate: OrderKey;
    try {
      candidate = tapOrderKeyAfter(highest, Math.floor(receivedAtMs / 1000), updateId);
    } catch (error) {
      // An update_id beyond what an order key holds: no retry can change that.
      throw new PermanentError(`tap ${tapId} cannot be ordered: ${(error as Error).message}`, 'unorderable_message');
    }
    const memoryKey = `${this.config.redis.queuePrefix}:tap-order-key:${channel}:${tapId}`;
    const first = await this.redis.set(memoryKey, candidate, 'EX', TAP_KEY_MEMORY_S, 'NX', 'GET');
    return first === null ? candidate : OrderKey.parse(first);
  }
}
