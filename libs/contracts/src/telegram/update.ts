import { z } from 'zod';
import { chatIdOf, type ChatId } from '../jobs/common.js';

/**
 * The subset of Telegram's Update we read (https://core.telegram.org/bots/api#update). Objects are
 * loose: Telegram adds fields often, and an unknown field must never turn into a 400 that makes
 * Telegram redeliver the update for 24 h. Ids stay JS numbers: Telegram guarantees ≤ 52 significant
 * bits, so JSON.parse is lossless; we convert them to strings/bigint at the edges.
 */
const TelegramId = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

export const TelegramUser = z.looseObject({
  id: TelegramId,
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
export type TelegramUser = z.infer<typeof TelegramUser>;

export const TelegramChat = z.looseObject({
  id: TelegramId,
  type: z.string(),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

const FileRef = {
  file_id: z.string(),
  file_unique_id: z.string(),
  file_size: z.number().int().optional(),
};

export const PhotoSize = z.looseObject({ ...FileRef, width: z.number().int(), height: z.number().int() });
export const TelegramDocument = z.looseObject({ ...FileRef, file_name: z.string().optional(), mime_type: z.string().optional() });
export const TelegramMedia = z.looseObject({ ...FileRef, file_name: z.string().optional(), mime_type: z.string().optional(), duration: z.number().optional() });
export const TelegramSticker = z.looseObject({ ...FileRef, emoji: z.string().optional(), is_animated: z.boolean().optional(), is_video: z.boolean().optional() });

export const TelegramMessage = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  edit_date: z.number().int().optional(),
  chat: TelegramChat,
  from: TelegramUser.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  media_group_id: z.string().optional(),
  photo: z.array(PhotoSize).optional(),
  document: TelegramDocument.optional(),
  video: TelegramMedia.optional(),
  animation: TelegramMedia.optional(),
  video_note: TelegramMedia.optional(),
  audio: TelegramMedia.optional(),
  voice: TelegramMedia.optional(),
  sticker: TelegramSticker.optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
  venue: z.looseObject({ title: z.string(), address: z.string() }).optional(),
  contact: z.looseObject({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional() }).optional(),
});
export type TelegramMessage = z.infer<typeof TelegramMessage>;

export const ChatMemberUpdated = z.looseObject({
  chat: TelegramChat,
  from: TelegramUser,
  date: z.number().int(),
  new_chat_member: z.looseObject({ status: z.string() }),
  old_chat_member: z.looseObject({ status: z.string() }).optional(),
});
export type ChatMemberUpdated = z.infer<typeof ChatMemberUpdated>;

/**
 * A tap on an inline-keyboard button (https://core.telegram.org/bots/api#callbackquery). `message`
 * is the message that carried the keyboard, or an InaccessibleMessage (`date` 0) when it is too
 * old for the bot to see; either way it names the chat and the message. A tap on a keyboard sent
 * in inline mode has `inline_message_id` instead and no chat: never one the bridge sent.
 */
export const CallbackQuery = z.looseObject({
  id: z.string().min(1).max(64),
  from: TelegramUser,
  message: z.looseObject({ message_id: z.number().int().nonnegative(), date: z.number().int().nonnegative(), chat: TelegramChat }).optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string(),
  data: z.string().optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuery>;

/** What ingress requires of any body: an object with an integer update_id (SPEC §4). */
export const UpdateEnvelope = z.looseObject({ update_id: z.number().int().nonnegative() });
export type UpdateEnvelope = z.infer<typeof UpdateEnvelope>;

/** An Update in the shape we act on; kinds we don't forward stay `unknown` and are ignored. */
export const TelegramUpdate = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: TelegramMessage.optional(),
  edited_message: TelegramMessage.optional(),
  my_chat_member: ChatMemberUpdated.optional(),
  callback_query: CallbackQuery.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** The part of an Update the bridge forwards or acts on, already picked apart. */
export type ForwardableUpdate =
  | { kind: 'message'; message: TelegramMessage }
  | { kind: 'edited_message'; message: TelegramMessage }
  | { kind: 'my_chat_member'; member: ChatMemberUpdated }
  | { kind: 'callback_query'; query: CallbackQuery };

/** Classifies an update; `undefined` for kinds we don't forward (polls, reactions, …). */
export function forwardableOf(update: TelegramUpdate): ForwardableUpdate | undefined {
  if (update.message) return { kind: 'message', message: update.message };
  if (update.edited_message) return { kind: 'edited_message', message: update.edited_message };
  if (update.my_chat_member) return { kind: 'my_chat_member', member: update.my_chat_member };
  if (update.callback_query) return { kind: 'callback_query', query: update.callback_query };
  return undefined;
}

/** The update kinds we ask Telegram for (setWebhook allowed_updates). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/**
 * The chat whose order an update takes part in (message, edit or a button tap), read from the raw
 * envelope without full validation: ingress marks it incoming before the sequencer has parsed it.
 */
export function incomingChatIdOf(update: Record<string, unknown>): ChatId | undefined {
  const tap = update['callback_query'] as { message?: unknown } | undefined; // shape checked below
  const message = (update['message'] ?? update['edited_message'] ?? tap?.message) as { chat?: { id?: unknown } } | undefined; // shape checked below
  const chatId = message?.chat?.id;
  return typeof chatId === 'number' && Number.isSafeInteger(chatId) ? chatIdOf(chatId) : undefined;
}
