import { randomBytes } from 'node:crypto';
import { badRequest, ok, stringParam, type BotApiReply, type BotMethod } from './bot-api-reply.js';
import { readReplyMarkup, replyMarkupField } from './telegram-reply-markup.js';
import { transcriptEntryOf, type BotState, type ChatTranscriptEntry } from './telegram-state.js';
import type { SandboxUser } from './telegram-user-updates.js';

/** Telegram stops accepting answerCallbackQuery about 15 minutes after the tap. */
const CALLBACK_ANSWER_WINDOW_MS = 15 * 60 * 1000;
const QUERY_TOO_OLD = badRequest('query is too old and response timeout expired or query ID is invalid');
// What Telegram answers for an edit that changes nothing (the Bot API server's wording).
const NOT_MODIFIED = badRequest(
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
);

export const answerCallbackQuery: BotMethod = ({ bot, params, nowMs }) => {
  const id = stringParam(params, 'callback_query_id') ?? '';
  const query = bot.callbackQueries.get(id);
  if (!query || query.answered || nowMs - query.atMs > CALLBACK_ANSWER_WINDOW_MS) return QUERY_TOO_OLD;
  query.answered = true;
  return ok(true);
};

export const editMessageReplyMarkup: BotMethod = ({ bot, params, nowMs }) => {
  const chatId = stringParam(params, 'chat_id');
  const messageId = Number(stringParam(params, 'message_id'));
  if (chatId === undefined || chatId === '') return badRequest('chat_id is empty');
  if (!Number.isInteger(messageId) || messageId <= 0) return badRequest('message identifier is not specified');
  const entry = transcriptEntryOf(bot, chatId, messageId);
  if (!entry) return badRequest('message to edit not found');
  if (entry.sender !== 'bot') return badRequest("message can't be edited");
  const markup = readReplyMarkup(params['reply_markup']);
  if ('error' in markup) return markup.error;
  // No reply_markup, or an empty keyboard, removes it.
  const keyboard = markup.keyboard && markup.keyboard.length > 0 ? markup.keyboard : undefined;
  if (JSON.stringify(keyboard) === JSON.stringify(entry.keyboard)) return NOT_MODIFIED;
  if (keyboard) entry.keyboard = keyboard;
  else delete entry.keyboard;
  return ok(messageOf(bot, chatId, entry, { edit_date: Math.floor(nowMs / 1000) }));
};

/** A bot message as the Bot API returns it (text messages; media show their caption). */
export function messageOf(bot: BotState, chatId: string, entry: ChatTranscriptEntry, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { profile } = bot;
  return {
    message_id: entry.messageId,
    from: { id: profile.id, is_bot: true, first_name: profile.firstName, username: profile.username },
    chat: { id: Number(chatId), type: chatId.startsWith('-') ? 'group' : 'private' },
    date: Math.floor(entry.atMs / 1000),
    ...(entry.text === undefined ? {} : { text: entry.text }),
    ...(entry.caption === undefined ? {} : { caption: entry.caption }),
    ...replyMarkupField(entry.keyboard),
    ...extra,
  };
}

export interface ButtonTapInput {
  chatId: string | number;
  /** The bot message that carries the keyboard. */
  messageId: number;
  /** Which button: its label (the first match), or its callback_data. */
  buttonText?: string;
  callbackData?: string;
  from?: SandboxUser;
  /** As Telegram sends a tap on a message too old for the bot to see: an InaccessibleMessage (date 0). */
  inaccessible?: boolean;
}

/**
 * The Update Telegram pushes when the user taps an inline button: a `callback_query` with a long
 * numeric id, the chat's `chat_instance`, the message with its keyboard and the button's data
 * (https://core.telegram.org/bots/api#callbackquery). Throws when no such button is on the message.
 */
export function buildTapUpdate(bot: BotState, input: ButtonTapInput, nowMs: number): Record<string, unknown> {
  const chatId = String(input.chatId);
  const entry = transcriptEntryOf(bot, chatId, input.messageId);
  const buttons = entry?.keyboard?.flat() ?? [];
  const button = buttons.find((candidate) => (input.callbackData === undefined ? candidate.text === input.buttonText : candidate.callbackData === input.callbackData));
  if (!entry || button?.callbackData === undefined) throw new Error(`message ${input.messageId} of chat ${chatId} has no such inline button`);
  const id = newCallbackQueryId();
  bot.callbackQueries.set(id, { atMs: nowMs, answered: false });
  bot.lastUpdateId += 1;
  const user = input.from ?? {};
  const message = input.inaccessible ? { chat: { id: Number(chatId), type: 'private' }, message_id: entry.messageId, date: 0 } : messageOf(bot, chatId, entry);
  return {
    update_id: bot.lastUpdateId,
    callback_query: {
      id,
      from: { id: user.id ?? Number(chatId), is_bot: false, first_name: user.firstName ?? 'Sandbox', ...(user.username ? { username: user.username } : {}), ...(user.languageCode ? { language_code: user.languageCode } : {}) },
      message,
      chat_instance: chatInstanceOf(bot, chatId),
      data: button.callbackData,
    },
  };
}

/** Real ids are 64-bit numbers written in decimal, e.g. "4382190231234567890". */
function newCallbackQueryId(): string {
  return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}

/** A stable signed 64-bit number per (bot, chat), as Telegram's chat_instance. */
function chatInstanceOf(bot: BotState, chatId: string): string {
  const mixed = (BigInt(bot.profile.id) * 1_000_003n + BigInt(chatId)) * 2_654_435_761n;
  return BigInt.asIntN(64, mixed).toString();
}
