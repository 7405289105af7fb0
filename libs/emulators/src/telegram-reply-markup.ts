import { badRequest, type BotApiReply } from './bot-api-reply.js';

/** One inline keyboard button as the emulator recorded it: what the customer sees and what a tap sends. */
export interface RecordedButton {
  text: string;
  /** A callback button: the `callback_data` a tap returns in `callback_query.data`. */
  callbackData?: string;
  /** A URL button: opened by the client, nothing comes back. */
  url?: string;
}

/** Rows of buttons, top to bottom. */
export type RecordedKeyboard = RecordedButton[][];

/** `callback_data` limits (https://core.telegram.org/bots/api#inlinekeyboardbutton): 1–64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/**
 * Reads `reply_markup` of a send the way the Bot API server does: a JSON object (in a JSON body)
 * or its JSON text (urlencoded and multipart bodies). Only inline keyboards with callback and URL
 * buttons are modelled; the errors are Telegram's own wording (telegram-bot-api Client.cpp and
 * widely logged answers): malformed JSON → "can't parse reply keyboard markup JSON object", a
 * button with neither callback_data nor url → "Text buttons are unallowed in the inline keyboard",
 * empty or over-64-byte callback_data → BUTTON_DATA_INVALID, a URL that is not http(s)/tg →
 * BUTTON_URL_INVALID.
 */
export function readReplyMarkup(value: unknown): { keyboard?: RecordedKeyboard } | { error: BotApiReply } {
  if (value === undefined) return {};
  let markup: unknown = value;
  if (typeof value === 'string') {
    try {
      markup = JSON.parse(value);
    } catch {
      return { error: badRequest("can't parse reply keyboard markup JSON object") };
    }
  }
  if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) return { error: badRequest("can't parse reply keyboard markup JSON object") };
  const rows = (markup as Record<string, unknown>)['inline_keyboard'];
  // Other markups (reply keyboards, force_reply, remove) are accepted and not recorded: the bridge never sends them.
  if (rows === undefined) return {};
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) return { error: badRequest('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays') };
  const keyboard: RecordedKeyboard = [];
  for (const row of rows as unknown[][]) {
    const recorded: RecordedButton[] = [];
    for (const button of row) {
      const read = readButton(button);
      if ('error' in read) return read;
      recorded.push(read.button);
    }
    keyboard.push(recorded);
  }
  return { keyboard };
}

function readButton(button: unknown): { button: RecordedButton } | { error: BotApiReply } {
  if (typeof button !== 'object' || button === null) return { error: badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object") };
  const fields = button as Record<string, unknown>;
  if (typeof fields['text'] !== 'string') return { error: badRequest('can\'t parse inline keyboard button: Field "text" must be of type String') };
  const text = fields['text'];
  if (fields['callback_data'] !== undefined) {
    const data = fields['callback_data'];
    if (typeof data !== 'string') return { error: badRequest('can\'t parse inline keyboard button: Field "callback_data" must be of type String') };
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) return { error: badRequest('BUTTON_DATA_INVALID') };
    return { button: { text, callbackData: data } };
  }
  if (fields['url'] !== undefined) {
    const url = fields['url'];
    if (typeof url !== 'string') return { error: badRequest('can\'t parse inline keyboard button: Field "url" must be of type String') };
    if (!isButtonUrl(url)) return { error: badRequest('BUTTON_URL_INVALID') };
    return { button: { text, url } };
  }
  return { error: badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard") };
}

function isButtonUrl(url: string): boolean {
  try {
    return ['http:', 'https:', 'tg:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The keyboard as Telegram echoes it in the sent Message (`reply_markup.inline_keyboard`). */
export function replyMarkupField(keyboard: RecordedKeyboard | undefined): Record<string, unknown> {
  if (!keyboard) return {};
  const inline_keyboard = keyboard.map((row) =>
    row.map((button) => (button.callbackData !== undefined ? { text: button.text, callback_data: button.callbackData } : { text: button.text, url: button.url })),
  );
  return { reply_markup: { inline_keyboard } };
}
