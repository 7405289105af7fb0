import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** `buttonResponse.type` of Genesys' `/inbound/open/structured/response`. */
export type ButtonResponseType = 'Button' | 'QuickReply' | 'DatePicker';

/**
 * What one inline-keyboard button the bridge sent stands for. Telegram gives a tap back only as the
 * button's `callback_data` (1–64 bytes), and Genesys payloads can be longer, so every button's
 * record lives server-side and `callback_data` is just a short key to it. That also tells a tap on a
 * keyboard the bridge sent from one on anything else (SPEC §5: the latter is answered and ignored).
 */
export interface KeyboardButtonRecord {
  readonly channel: string;
  readonly chatId: string;
  /** One id for all buttons of one keyboard: a keyboard is answered once. */
  readonly keyboardId: string;
  /** The Genesys outbound `Structured` message that carried the keyboard. */
  readonly originatingMessageId: string;
  readonly type: ButtonResponseType;
  /** The label the customer tapped: `buttonResponse.text`. */
  readonly text: string;
  /** `buttonResponse.payload`, any length. */
  readonly payload: string;
}

const CALLBACK_DATA_PREFIX = 'k1:';
const BUTTON_ID = /^[A-Za-z0-9_-]{22}$/;

/** A fresh random id (128 bits, 22 base64url characters) for a button or a keyboard. */
export function newKeyboardId(): string {
  return randomBytes(16).toString('base64url');
}

/** The `callback_data` of a button: 25 ASCII bytes, well inside Telegram's 64. */
export function callbackDataOf(buttonId: string): string {
  return `${CALLBACK_DATA_PREFIX}${buttonId}`;
}

/** The button id in a `callback_data` the bridge wrote, or undefined for anything else. */
export function buttonIdOf(callbackData: string | undefined): string | undefined {
  if (callbackData === undefined || !callbackData.startsWith(CALLBACK_DATA_PREFIX)) return undefined;
  const id = callbackData.slice(CALLBACK_DATA_PREFIX.length);
  return BUTTON_ID.test(id) ? id : undefined;
}

export function serializeKeyboardButton(record: KeyboardButtonRecord): string {
  return JSON.stringify(record);
}

const StoredButton = z.object({
  channel: z.string(),
  chatId: z.string(),
  keyboardId: z.string(),
  originatingMessageId: z.string(),
  type: z.enum(['Button', 'QuickReply', 'DatePicker']),
  text: z.string(),
  payload: z.string(),
});

/** A stored record, or undefined when it is missing or not one (never throws on foreign data). */
export function parseKeyboardButton(raw: string | null | undefined): KeyboardButtonRecord | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const parsed = StoredButton.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: read as missing
  }
}
