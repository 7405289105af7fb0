import { newTelegramFileIds, type TelegramFileKind } from './telegram-file-ids.js';
import type { RecordedKeyboard } from './telegram-reply-markup.js';

export interface BotProfile {
  id: number;
  username: string;
  firstName: string;
}

export interface WebhookState {
  /** Empty string = no webhook, exactly as getWebhookInfo reports it. */
  url: string;
  secretToken?: string;
  allowedUpdates?: string[];
  maxConnections?: number;
  lastErrorDateS?: number;
  lastErrorMessage?: string;
}

export type TranscriptKind = 'text' | 'photo' | 'document' | 'video' | 'audio';

/** One message in a private chat as the sandbox page renders it. */
export interface ChatTranscriptEntry {
  chatId: string;
  messageId: number;
  sender: 'bot' | 'user';
  kind: TranscriptKind;
  text?: string;
  caption?: string;
  fileId?: string;
  fileName?: string;
  /** The inline keyboard a bot message carries (`reply_markup`). */
  keyboard?: RecordedKeyboard;
  atMs: number;
}

export interface ChatTranscript {
  token: string;
  botUsername: string;
  chatId: string;
  messages: ChatTranscriptEntry[];
}

interface ChatState {
  /** Telegram numbers messages per private chat, shared by both directions. */
  lastMessageId: number;
  transcript: ChatTranscriptEntry[];
}

export interface BotState {
  readonly token: string;
  readonly profile: BotProfile;
  revoked: boolean;
  webhook: WebhookState;
  lastUpdateId: number;
  readonly chats: Map<string, ChatState>;
  /** Callback queries handed to the bot, by id, until answered. */
  readonly callbackQueries: Map<string, { atMs: number; answered: boolean }>;
}

export function newBotState(token: string, profile: BotProfile): BotState {
  return { token, profile, revoked: false, webhook: { url: '' }, lastUpdateId: 0, chats: new Map(), callbackQueries: new Map() };
}

function chatStateOf(bot: BotState, chatId: string): ChatState {
  let chat = bot.chats.get(chatId);
  if (!chat) {
    chat = { lastMessageId: 0, transcript: [] };
    bot.chats.set(chatId, chat);
  }
  return chat;
}

export function nextMessageId(bot: BotState, chatId: string): number {
  const chat = chatStateOf(bot, chatId);
  chat.lastMessageId += 1;
  return chat.lastMessageId;
}

export function appendTranscript(bot: BotState, entry: ChatTranscriptEntry): void {
  chatStateOf(bot, entry.chatId).transcript.push(entry);
}

/** A message of the chat's transcript (the emulator's own record, not a copy). */
export function transcriptEntryOf(bot: BotState, chatId: string, messageId: number): ChatTranscriptEntry | undefined {
  return bot.chats.get(chatId)?.transcript.find((entry) => entry.messageId === messageId);
}

export function transcriptsOf(bot: BotState): ChatTranscript[] {
  return [...bot.chats].map(([chatId, chat]) => ({
    token: bot.token,
    botUsername: bot.profile.username,
    chatId,
    messages: chat.transcript.map((entry) => ({ ...entry, ...(entry.keyboard ? { keyboard: entry.keyboard.map((row) => row.map((button) => ({ ...button }))) } : {}) })),
  }));
}

/** The bot id is the numeric prefix of its token; other tokens get a stable made-up id. */
export function defaultBotId(token: string, fallbackId: number): number {
  const prefix = /^(\d+):/.exec(token)?.[1];
  const id = prefix === undefined ? Number.NaN : Number(prefix);
  return Number.isSafeInteger(id) ? id : fallbackId;
}

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  mime: string;
  bytes: Buffer;
}

const EXTENSION_BY_MIME: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'oga',
  'application/pdf': 'pdf',
};

// Folders of Bot API file paths (`photos/file_12.jpg`, `documents/file_3.pdf`, …).
const FOLDER_BY_KIND: Record<TelegramFileKind, string> = {
  photo: 'photos',
  voice: 'voice',
  video: 'videos',
  document: 'documents',
  sticker: 'stickers',
  audio: 'music',
  animation: 'animations',
  video_note: 'video_notes',
};

/**
 * Files by file_id and by file_path. Real file_ids are per bot; one store for all bots is a
 * simplification tests never notice, since each test registers the files it asks for.
 */
export class TelegramFileStore {
  private readonly byFileId = new Map<string, StoredFile>();
  private readonly byFilePath = new Map<string, StoredFile>();
  /** Numbers generated file paths (and upload file_ids) so they never collide. */
  private storedCount = 0;

  /**
   * Stores bytes under a file_id: the one given (tests that need a particular id), or else a new one
   * in Telegram's shape for `kind`. The file_unique_id is always Telegram-shaped.
   */
  add(bytes: Buffer, options: { fileId?: string; kind?: TelegramFileKind; filePath?: string; mime?: string } = {}): StoredFile {
    const mime = options.mime ?? 'application/octet-stream';
    const ids = newTelegramFileIds(options.kind ?? 'document');
    this.storedCount += 1;
    const file: StoredFile = {
      fileId: options.fileId ?? ids.fileId,
      fileUniqueId: ids.fileUniqueId,
      filePath: options.filePath ?? `${FOLDER_BY_KIND[options.kind ?? 'document']}/file_${this.storedCount}.${EXTENSION_BY_MIME[mime] ?? 'bin'}`,
      mime,
      bytes,
    };
    this.byFileId.set(file.fileId, file);
    this.byFilePath.set(file.filePath, file);
    return file;
  }

  /** Stores bytes a bot uploaded under a fresh file_id, as Telegram does for sendPhoto & co. */
  addUpload(kind: Exclude<TranscriptKind, 'text'>, bytes: Buffer, mime: string): StoredFile {
    return this.add(bytes, { kind, mime });
  }

  byId(fileId: string): StoredFile | undefined {
    return this.byFileId.get(fileId);
  }

  byPath(filePath: string): StoredFile | undefined {
    return this.byFilePath.get(filePath);
  }
}
