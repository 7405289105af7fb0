import { appendTranscript, nextMessageId, type BotState, type TelegramFileStore } from './telegram-state.js';

export interface SandboxUser {
  /** Defaults to the chat id: in a private chat the user id and the chat id are the same. */
  id?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export interface UserAttachment {
  kind: 'photo' | 'document';
  bytes: Buffer;
  mime: string;
  fileName?: string;
}

export interface UserMessageInput {
  chatId: string | number;
  text?: string;
  from?: SandboxUser;
  attachment?: UserAttachment;
}

/**
 * The Update Telegram would push when a user writes to the bot in a private chat. It takes the
 * next message_id of that chat, so user and bot messages interleave in one numbering, as in Telegram.
 */
export function buildUserMessageUpdate(
  bot: BotState,
  files: TelegramFileStore,
  input: UserMessageInput,
  nowMs: number,
): Record<string, unknown> {
  const chatId = String(input.chatId);
  if (!/^\d{1,16}$/.test(chatId)) throw new Error(`a private chat id is a positive integer, got "${chatId}"`);
  if (!input.text && !input.attachment) throw new Error('a user message needs text or an attachment');
  const user = input.from ?? {};
  const userFields = {
    first_name: user.firstName ?? 'Sandbox',
    ...(user.lastName ? { last_name: user.lastName } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
  const messageId = nextMessageId(bot, chatId);
  bot.lastUpdateId += 1;

  const content: Record<string, unknown> = {};
  let fileId: string | undefined;
  if (input.attachment) {
    const stored = files.addUpload(input.attachment.kind, input.attachment.bytes, input.attachment.mime);
    fileId = stored.fileId;
    const reference = { file_id: stored.fileId, file_unique_id: stored.fileUniqueId, file_size: stored.bytes.length };
    content[input.attachment.kind] =
      input.attachment.kind === 'photo'
        ? [{ ...reference, width: 800, height: 600 }]
        : { ...reference, mime_type: stored.mime, ...(input.attachment.fileName ? { file_name: input.attachment.fileName } : {}) };
    if (input.text) content['caption'] = input.text;
  } else {
    content['text'] = input.text;
  }

  appendTranscript(bot, {
    chatId,
    messageId,
    sender: 'user',
    kind: input.attachment?.kind ?? 'text',
    ...(input.attachment ? (input.text ? { caption: input.text } : {}) : { text: input.text }),
    ...(fileId ? { fileId } : {}),
    ...(input.attachment?.fileName ? { fileName: input.attachment.fileName } : {}),
    atMs: nowMs,
  });

  return {
    update_id: bot.lastUpdateId,
    message: {
      message_id: messageId,
      from: { id: user.id ?? Number(chatId), is_bot: false, ...userFields, ...(user.languageCode ? { language_code: user.languageCode } : {}) },
      chat: { id: Number(chatId), type: 'private', ...userFields },
      date: Math.floor(nowMs / 1000),
      ...content,
    },
  };
}
