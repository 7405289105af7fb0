import { z } from 'zod';

/**
 * The parts of Bot API results the bridge reads (https://core.telegram.org/bots/api#available-types). Loose objects: Telegram
 * adds fields, and a field we do not read must never fail a call that already succeeded.
 */

export const TelegramBotUser = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  username: z.string().optional(),
});
export type TelegramBotUser = z.infer<typeof TelegramBotUser>;

export const TelegramFile = z.looseObject({
  file_id: z.string(),
  file_unique_id: z.string(),
  file_size: z.number().int().optional(),
  file_path: z.string().optional(),
});
export type TelegramFile = z.infer<typeof TelegramFile>;

export const TelegramSentMessage = z.looseObject({ message_id: z.number().int() });

export const TelegramWebhookInfo = z.looseObject({
  url: z.string(),
  has_custom_certificate: z.boolean().optional(),
  pending_update_count: z.number().int().optional(),
  last_error_date: z.number().int().optional(),
  last_error_message: z.string().optional(),
  max_connections: z.number().int().optional(),
  allowed_updates: z.array(z.string()).optional(),
});
export type TelegramWebhookInfo = z.infer<typeof TelegramWebhookInfo>;

/** The envelope of every answer (https://core.telegram.org/bots/api#making-requests); only `ok` and `result` matter once the status said 2xx. */
export const TelegramEnvelope = z.looseObject({ ok: z.boolean(), result: z.unknown().optional() });

/** Parameters as the Bot API takes them; objects (reply_parameters, allowed_updates…) go as JSON. */
export type TelegramParams = Record<string, string | number | boolean | object | undefined>;

/** One inline keyboard button the bridge sends: a callback button (`callback_data` 1–64 bytes) or a URL button. */
export type InlineKeyboardButton = { text: string; callback_data: string } | { text: string; url: string };

/** `reply_markup` of an inline keyboard (https://core.telegram.org/bots/api#inlinekeyboardmarkup): rows of buttons. */
export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

/** A file to upload, in memory (outbound downloads each attachment whole before sending it). */
export type TelegramUploadSource = { filename: string; mime: string; bytes: Uint8Array };

/** An upload names the form field Telegram reads it from (`photo`, `document`, …). */
export type TelegramUploadFile = TelegramUploadSource & { field: string };

export type TelegramMediaMethod = 'sendPhoto' | 'sendDocument' | 'sendVideo' | 'sendAudio';

/** The form field of each media method. */
export const MEDIA_FIELD: Record<TelegramMediaMethod, string> = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendVideo: 'video',
  sendAudio: 'audio',
};

export interface TelegramDownload {
  stream: ReadableStream<Uint8Array>;
  sizeBytes?: number;
  mime?: string;
}
