import type { GenesysMediaType, TelegramMessage } from '@tgg/contracts';

/** The file of a Telegram message, as Genesys should receive it; or the text standing in for it. */
export type TelegramMediaOf =
  | {
      kind: 'file';
      mediaType: GenesysMediaType;
      fileId: string;
      fileUniqueId: string;
      mime: string;
      filename: string;
      fileSizeBytes?: number | undefined;
    }
  | { kind: 'text'; text: string };

type PhotoSize = NonNullable<TelegramMessage['photo']>[number];

interface FileFields {
  file_id: string;
  file_unique_id: string;
  file_size?: number | undefined;
  file_name?: string | undefined;
  mime_type?: string | undefined;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'video/mp4': '.mp4',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
};

/**
 * Picks the one file a message carries (Genesys takes one attachment per message). `animation`
 * comes before `document` because Telegram sets both on GIFs; animated and video stickers
 * (TGS/WEBM) can't be shown outside Telegram, so they become their emoji as text.
 */
export function telegramMediaOf(message: TelegramMessage): TelegramMediaOf | undefined {
  const messageId = message.message_id;
  const fileOf = (label: string, mediaType: GenesysMediaType, file: FileFields, defaultMime: string): TelegramMediaOf => {
    const mime = file.mime_type ?? defaultMime;
    return {
      kind: 'file',
      mediaType,
      fileId: file.file_id,
      fileUniqueId: file.file_unique_id,
      mime,
      filename: file.file_name ?? `${label}_${messageId}${EXTENSIONS[mime] ?? ''}`,
      fileSizeBytes: file.file_size,
    };
  };

  // Sizes of one image; the manual doesn't promise small→large order, so compare areas.
  const largestPhoto = message.photo?.reduce<PhotoSize | undefined>(
    (largest, size) => (!largest || size.width * size.height >= largest.width * largest.height ? size : largest),
    undefined,
  );
  if (largestPhoto) return fileOf('photo', 'Image', largestPhoto, 'image/jpeg');
  if (message.animation) return fileOf('animation', 'Video', message.animation, 'video/mp4');
  if (message.video) return fileOf('video', 'Video', message.video, 'video/mp4');
  if (message.video_note) return fileOf('video_note', 'Video', message.video_note, 'video/mp4');
  if (message.audio) return fileOf('audio', 'Audio', message.audio, 'audio/mpeg');
  if (message.voice) return fileOf('voice', 'Audio', message.voice, 'audio/ogg');
  if (message.document) {
    return fileOf('document', mediaTypeOfMime(message.document.mime_type), message.document, 'application/octet-stream');
  }
  if (message.sticker) {
    const { sticker } = message;
    if (sticker.is_animated || sticker.is_video) return { kind: 'text', text: sticker.emoji ? `[sticker ${sticker.emoji}]` : '[sticker]' };
    return fileOf('sticker', 'Image', { ...sticker, mime_type: 'image/webp' }, 'image/webp');
  }
  return undefined;
}

function mediaTypeOfMime(mime: string | undefined): GenesysMediaType {
  if (mime?.startsWith('image/')) return 'Image';
  if (mime?.startsWith('video/')) return 'Video';
  if (mime?.startsWith('audio/')) return 'Audio';
  return 'File';
}
