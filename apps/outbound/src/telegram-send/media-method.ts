import type { OutboundAttachment } from '@tgg/contracts';
import type { TelegramMediaMethod } from '@tgg/telegram';

/** Multipart upload limits of the hosted Bot API (https://core.telegram.org/bots/api#sending-files). */
export const TELEGRAM_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
export const TELEGRAM_PHOTO_LIMIT_BYTES = 10 * 1024 * 1024;

// Formats Telegram clients show inline; anything else of the same media type goes as a document,
// which keeps the file byte-exact (sendVideo wants MPEG-4, sendAudio MP3/M4A, sendPhoto recompresses).
const PHOTO_MIMES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp']);
const VIDEO_MIMES = new Set(['video/mp4']);
const AUDIO_MIMES = new Set(['audio/mpeg', 'audio/mp3', 'audio/mp4', 'audio/m4a', 'audio/x-m4a', 'audio/aac']);

/**
 * The Bot API method for an agent attachment of `sizeBytes`, chosen by Genesys' mediaType, or
 * 'too-large' above the 50 MB upload limit. An image over the 10 MB photo limit goes as a document
 * (up to 50 MB) rather than failing: the customer still gets the file, unrecompressed.
 */
export function mediaMethodFor(attachment: Pick<OutboundAttachment, 'mediaType'>, mime: string, sizeBytes: number): TelegramMediaMethod | 'too-large' {
  if (sizeBytes > TELEGRAM_UPLOAD_LIMIT_BYTES) return 'too-large';
  const baseMime = mime.split(';')[0]?.trim().toLowerCase() ?? '';
  switch (attachment.mediaType) {
    case 'Image':
      return PHOTO_MIMES.has(baseMime) && sizeBytes <= TELEGRAM_PHOTO_LIMIT_BYTES ? 'sendPhoto' : 'sendDocument';
    case 'Video':
      return VIDEO_MIMES.has(baseMime) ? 'sendVideo' : 'sendDocument';
    case 'Audio':
      return AUDIO_MIMES.has(baseMime) ? 'sendAudio' : 'sendDocument';
    default:
      return 'sendDocument';
  }
}

/** What the customer reads instead of a file Telegram cannot take. */
export function tooLargeNotice(attachment: Pick<OutboundAttachment, 'filename'>, sizeBytes: number, caption: string | undefined): string {
  const name = attachment.filename ? `"${attachment.filename}"` : 'a file';
  const megabytes = (sizeBytes / (1024 * 1024)).toFixed(1);
  const notice = `The agent sent you ${name} (${megabytes} MB), but Telegram does not accept files over ${TELEGRAM_UPLOAD_LIMIT_BYTES / (1024 * 1024)} MB, so it could not be delivered here. Please ask the agent for another way to receive it.`;
  return caption ? `${caption}\n\n${notice}` : notice;
}
