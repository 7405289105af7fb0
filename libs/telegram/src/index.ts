export { splitForTelegram, splitCaption, TELEGRAM_TEXT_LIMIT, TELEGRAM_CAPTION_LIMIT } from './split-message.js';
export { signMediaLink, verifyMediaLink, type MediaLinkTarget, type MediaLinkVerdict } from './media-link.js';
export { classifyTelegramResponse, receiptReasonFor } from './telegram-errors.js';
