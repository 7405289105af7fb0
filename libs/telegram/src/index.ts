export { splitForTelegram, splitCaption, TELEGRAM_TEXT_LIMIT, TELEGRAM_CAPTION_LIMIT } from './split-message.js';
export {
  MEDIA_LINK_PATH_MAX_LENGTH,
  mediaLinkIdOf,
  parseMediaLinkRecord,
  serializeMediaLinkRecord,
  signMediaLink,
  verifyMediaLink,
  type MediaLinkRecord,
  type MediaLinkVerdict,
} from './media-link.js';
export { MEDIA_LINK_RECORD_GRACE_S, MediaLinkStore } from './media-link.store.js';
export { classifyTelegramResponse, isFileTooBigError, receiptReasonFor } from './telegram-errors.js';
export { TelegramBotApiClient, type TelegramBotApiClientOptions, type SendOptions } from './bot-api.client.js';
export {
  MEDIA_FIELD,
  type InlineKeyboardButton,
  type InlineKeyboardMarkup,
  type TelegramBotUser,
  type TelegramDownload,
  type TelegramFile,
  type TelegramMediaMethod,
  type TelegramParams,
  type TelegramUploadFile,
  type TelegramUploadSource,
  type TelegramWebhookInfo,
} from './bot-api.types.js';
export {
  buttonIdOf,
  callbackDataOf,
  newKeyboardId,
  parseKeyboardButton,
  serializeKeyboardButton,
  type ButtonResponseType,
  type KeyboardButtonRecord,
} from './keyboard-buttons.js';
export { KEYBOARD_BUTTON_TTL_S, KeyboardButtonStore } from './keyboard-buttons.store.js';
