import { badRequest, failure, ok, stringParam, type BotApiReply, type BotMethod, type BotMethodCall } from './bot-api-reply.js';
import { appendTranscript, nextMessageId, type StoredFile, type TranscriptKind } from './telegram-state.js';
import { readReplyMarkup, replyMarkupField, type RecordedKeyboard } from './telegram-reply-markup.js';
import { answerCallbackQuery, editMessageReplyMarkup } from './telegram-callback-queries.js';
import { deleteWebhook, getWebhookInfo, setWebhook } from './telegram-webhook-methods.js';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
/** Hosted Bot API download limit (`MAX_DOWNLOAD_FILE_SIZE = 20 << 20`). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

/**
 * The Bot API server drops '\r' from message text and captions (TDLib's clean_input_string,
 * td/telegram/misc.cpp), so a caption sent in a multipart body — where FormData turns every line
 * break into CRLF — reads the same as one sent as JSON.
 */
function withoutCarriageReturns(text: string): string {
  return text.replaceAll('\r', '');
}

/** The chat a send targets, or the error Telegram gives for a missing or unknown one. */
function targetChat(call: BotMethodCall): { chatId: string } | { error: BotApiReply } {
  const chatId = stringParam(call.params, 'chat_id');
  if (chatId === undefined || chatId === '') return { error: badRequest('chat_id is empty') };
  // Only numeric ids name chats this emulator can know; @channel usernames are not modelled.
  if (!/^-?\d{1,16}$/.test(chatId) || !Number.isSafeInteger(Number(chatId))) return { error: badRequest('chat not found') };
  return { chatId };
}

function newBotMessage(
  call: BotMethodCall,
  chatId: string,
  fields: Record<string, unknown>,
): { messageId: number; message: Record<string, unknown> } {
  const messageId = nextMessageId(call.bot, chatId);
  const { profile } = call.bot;
  return {
    messageId,
    message: {
      message_id: messageId,
      from: { id: profile.id, is_bot: true, first_name: profile.firstName, username: profile.username },
      chat: { id: Number(chatId), type: chatId.startsWith('-') ? 'group' : 'private' },
      date: Math.floor(call.nowMs / 1000),
      ...fields,
    },
  };
}

const sendMessage: BotMethod = (call) => {
  const target = targetChat(call);
  if ('error' in target) return target.error;
  const text = withoutCarriageReturns(stringParam(call.params, 'text') ?? '');
  if (text.trim() === '') return badRequest('message text is empty');
  // Telegram counts UTF-16 code units here, the same unit as String.length.
  if (text.length > MAX_TEXT_LENGTH) return badRequest('message is too long');
  const markup = readReplyMarkup(call.params['reply_markup']);
  if ('error' in markup) return markup.error;
  const { messageId, message } = newBotMessage(call, target.chatId, { text, ...replyMarkupField(markup.keyboard) });
  appendTranscript(call.bot, { chatId: target.chatId, messageId, sender: 'bot', kind: 'text', text, ...keyboardField(markup.keyboard), atMs: call.nowMs });
  return ok(message);
};

/** The keyboard joins the transcript entry, so a test or the sandbox page can see (and tap) it. */
function keyboardField(keyboard: RecordedKeyboard | undefined): { keyboard?: RecordedKeyboard } {
  return keyboard ? { keyboard } : {};
}

type MediaKind = Exclude<TranscriptKind, 'text'>;

/** The file a send refers to: an uploaded part (direct or `attach://`), a known file_id, or a URL. */
function resolveMedia(call: BotMethodCall, kind: MediaKind): { file: StoredFile; fileName?: string } | { error: BotApiReply } {
  const value = call.params[kind];
  const attachName = typeof value === 'string' && value.startsWith('attach://') ? value.slice('attach://'.length) : undefined;
  const upload = call.uploads.find((part) => part.field === kind || part.field === attachName);
  if (upload) return { file: call.files.addUpload(kind, upload.bytes, upload.mime), fileName: upload.filename };
  if (typeof value !== 'string' || value === '') return { error: badRequest(`there is no ${kind} in the request`) };
  const known = call.files.byId(value);
  if (known) return { file: known };
  // A URL would be fetched by Telegram; the emulator does not go out, it just accepts it.
  if (/^https?:\/\//i.test(value)) return { file: call.files.addUpload(kind, Buffer.alloc(0), 'application/octet-stream') };
  return { error: badRequest('wrong file identifier/HTTP URL specified') };
}

function mediaObject(kind: MediaKind, file: StoredFile, fileName: string | undefined): unknown {
  const reference = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length };
  const named = fileName === undefined ? {} : { file_name: fileName };
  switch (kind) {
    case 'photo':
      return [{ ...reference, width: 800, height: 600 }];
    case 'document':
      return { ...reference, ...named, mime_type: file.mime };
    case 'video':
      return { ...reference, ...named, mime_type: file.mime, width: 640, height: 360, duration: 0 };
    case 'audio':
      return { ...reference, ...named, mime_type: file.mime, duration: 0 };
  }
}

function sendMedia(kind: MediaKind): BotMethod {
  return (call) => {
    const target = targetChat(call);
    if ('error' in target) return target.error;
    const rawCaption = stringParam(call.params, 'caption');
    const caption = rawCaption === undefined ? undefined : withoutCarriageReturns(rawCaption);
    if (caption !== undefined && caption.length > MAX_CAPTION_LENGTH) return badRequest('message caption is too long');
    const markup = readReplyMarkup(call.params['reply_markup']);
    if ('error' in markup) return markup.error;
    const media = resolveMedia(call, kind);
    if ('error' in media) return media.error;
    const captionField = caption ? { caption } : {};
    const mediaField = { [kind]: mediaObject(kind, media.file, media.fileName) };
    const { messageId, message } = newBotMessage(call, target.chatId, { ...mediaField, ...captionField, ...replyMarkupField(markup.keyboard) });
    appendTranscript(call.bot, {
      chatId: target.chatId,
      messageId,
      sender: 'bot',
      kind,
      ...captionField,
      fileId: media.file.fileId,
      ...(media.fileName === undefined ? {} : { fileName: media.fileName }),
      ...keyboardField(markup.keyboard),
      atMs: call.nowMs,
    });
    return ok(message);
  };
}

const sendChatAction: BotMethod = (call) => {
  const target = targetChat(call);
  if ('error' in target) return target.error;
  const action = stringParam(call.params, 'action') ?? '';
  if (!CHAT_ACTIONS.has(action)) return badRequest('wrong parameter action in request');
  return ok(true);
};

const getFile: BotMethod = (call) => {
  const fileId = stringParam(call.params, 'file_id') ?? '';
  const file = call.files.byId(fileId);
  if (!file) return badRequest('invalid file_id');
  if (file.bytes.length > MAX_DOWNLOAD_BYTES) return badRequest('file is too big');
  return ok({ file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length, file_path: file.filePath });
};

const getMe: BotMethod = ({ bot }) =>
  ok({
    id: bot.profile.id,
    is_bot: true,
    first_name: bot.profile.firstName,
    username: bot.profile.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  });

const METHODS: ReadonlyMap<string, { name: string; run: BotMethod }> = new Map(
  Object.entries({
    getMe,
    sendMessage,
    sendPhoto: sendMedia('photo'),
    sendDocument: sendMedia('document'),
    sendVideo: sendMedia('video'),
    sendAudio: sendMedia('audio'),
    sendChatAction,
    getFile,
    answerCallbackQuery,
    editMessageReplyMarkup,
    setWebhook,
    getWebhookInfo,
    deleteWebhook,
  }).map(([name, run]) => [name.toLowerCase(), { name, run }]),
);

/** Telegram's spelling of a method requested in any case; unknown methods keep the caller's spelling. */
export function canonicalMethodName(requested: string): string {
  return METHODS.get(requested.toLowerCase())?.name ?? requested;
}

export function runBotMethod(requested: string, call: BotMethodCall): BotApiReply {
  const method = METHODS.get(requested.toLowerCase());
  return method ? method.run(call) : failure(404, 'Not Found: method not found');
}
