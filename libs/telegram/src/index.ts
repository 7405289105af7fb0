export { splitForTelegram, splitCaption, TELEGRAM_TEXT_LIMIT, TELEGRAM_CAPTION_LIMIT } from './split-message.js';
export { signMediaLink, verifyMediaLink, type MediaLinkTarget, type MediaLinkVerdict } from './media-link.js';
export { classifyTelegramResponse, receiptReasonFor } from './telegram-errors.js';
export { TelegramBotApiClient, type TelegramBotApiClientOptions, type SendOptions } from './bot-api.client.js';
export {
  MEDIA_FIELD,
  type TelegramBotUser,
  type TelegramDownload,
  type TelegramFile,
  type TelegramMediaMethod,
  type TelegramParams,
  type TelegramUploadFile,
  type TelegramUploadSource,
  type TelegramWebhookInfo,
} from './bot-api.types.js';
