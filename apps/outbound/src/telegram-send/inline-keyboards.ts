import { Inject, Injectable, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { WORKER_REDIS } from '@tgg/service-runtime';
import { KeyboardButtonStore, newKeyboardId, type InlineKeyboardButton, type InlineKeyboardMarkup, type KeyboardButtonRecord } from '@tgg/telegram';
import type { PlannedKeyboard } from './keyboard-layout.js';

/** Whose keyboard it is: the chat it goes to and the Genesys message that carried it. */
export interface KeyboardOwner {
  channel: string;
  chatId: string;
  /** The Genesys outbound message `id`: `originatingMessageId` of the structured response a tap becomes. */
  genesysMessageId: string;
}

export const keyboardButtonStoreProvider: Provider = {
  provide: KeyboardButtonStore,
  inject: [WORKER_REDIS, APP_CONFIG],
  useFactory: (redis: Redis, config: AppConfig) => new KeyboardButtonStore(redis, config.redis.queuePrefix),
};

/**
 * Turns a planned keyboard into `reply_markup`: every callback button's record (label, Genesys
 * payload of any length) is saved first, under one fresh keyboard id per Telegram message, and the
 * short key the store returns becomes the button's `callback_data` (Telegram takes 1–64 bytes).
 *
 * Saved before the send, so a tap can never arrive for a button that is not stored. A send that
 * fails and is retried saves its buttons again under fresh keys: the first set is never shown and
 * expires unread (KEYBOARD_BUTTON_TTL_S). A send Telegram accepted is not repeated (SentSteps), so
 * a keyboard the customer sees has exactly one set of records.
 */
@Injectable()
export class InlineKeyboards {
  constructor(@Inject(KeyboardButtonStore) private readonly store: KeyboardButtonStore) {}

  async markupFor(keyboard: PlannedKeyboard, owner: KeyboardOwner): Promise<InlineKeyboardMarkup> {
    const keyboardId = newKeyboardId();
    const records: KeyboardButtonRecord[] = keyboard.flat().flatMap((button) =>
      button.kind === 'callback'
        ? [{ channel: owner.channel, chatId: owner.chatId, keyboardId, originatingMessageId: owner.genesysMessageId, type: button.type, text: button.text, payload: button.payload }]
        : [],
    );
    const callbackData = await this.store.save(records);
    let next = 0;
    const inline_keyboard = keyboard.map((row) =>
      row.map((button): InlineKeyboardButton => {
        if (button.kind === 'url') return { text: button.label, url: button.url };
        // save() answers one callback_data per record, in order: one per callback button.
        return { text: button.label, callback_data: callbackData[next++] as string };
      }),
    );
    return { inline_keyboard };
  }
}
