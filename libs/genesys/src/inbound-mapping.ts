import { PermanentError, type ButtonTap, type InboundAttachment, type OpenInboundMessage, type OpenInboundStructuredResponse, type TelegramMessage, type TelegramUser } from '@tgg/contracts';
import { telegramMediaOf } from './inbound-media.js';

/**
 * A Telegram message → the body of Genesys `/inbound/open/message` (SPEC §5,
 * https://developer.genesys.cloud/commdigital/digital/openmessaging/). Open Messaging has no edit: an edit is a new message whose text
 * is marked as edited, with its own stable messageId. Location, venue and contact become text.
 * The result is never empty: with nothing to forward it says so.
 */

export interface InboundMappingInput {
  chatId: string; // a string end to end: chat ids exceed 32 bits
  kind: 'message' | 'edited_message';
  message: TelegramMessage;
  updateId: number;
  botUsername?: string | undefined;
}

export interface MediaFileRef {
  fileId: string;
  mime?: string;
  filename?: string;
  /** As the message stated it, when it did. */
  sizeBytes?: number | undefined;
}

/** Hosted Bot API getFile limit (`MAX_DOWNLOAD_FILE_SIZE = 20 << 20`). */
export const TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;
export const EDITED_MARK = '✏️ edited';
export const UNSUPPORTED_PLACEHOLDER = '[unsupported message]';

/** `<chat_id>:<message_id>`, or `<chat_id>:<message_id>:e<edit_date>` for an edit: stable across retries. */
export function genesysMessageIdOf(chatId: string, kind: InboundMappingInput['kind'], message: TelegramMessage): string {
  const base = `${chatId}:${message.message_id}`;
  return kind === 'edited_message' ? `${base}:e${message.edit_date ?? message.date}` : base;
}

export function toGenesysInboundMessage(
  input: InboundMappingInput,
  mediaLinkFor: (file: MediaFileRef) => string,
): OpenInboundMessage {
  const { chatId, kind, message } = input;
  const sender = message.from;
  const media = telegramMediaOf(message);
  const lines: string[] = [];
  const body = message.text ?? message.caption;
  if (body) lines.push(body);

  let attachment: InboundAttachment | undefined;
  if (media?.kind === 'text') lines.push(media.text);
  if (media?.kind === 'file') {
    const { fileId, mime, filename, fileSizeBytes = 0 } = media;
    if (fileSizeBytes > TELEGRAM_DOWNLOAD_LIMIT_BYTES) {
      // getFile would fail, and Genesys would fetch a link that can only answer an error.
      lines.push(`[file too large for Telegram bots to download: ${filename} (${(fileSizeBytes / (1024 * 1024)).toFixed(1)} MB)]`);
    } else {
      attachment = { mediaType: media.mediaType, url: mediaLinkFor({ fileId, mime, filename, sizeBytes: media.fileSizeBytes }), mime, filename, id: media.fileUniqueId };
    }
  }
  lines.push(...placeLines(message));

  const content = lines.join('\n') || (attachment ? '' : UNSUPPORTED_PLACEHOLDER);
  const text = kind === 'edited_message' ? (content ? `${EDITED_MARK}: ${content}` : EDITED_MARK) : content;
  return {
    channel: channelOf({ ...input, sender }, genesysMessageIdOf(chatId, kind, message), kind === 'edited_message' ? (message.edit_date ?? message.date) : message.date),
    ...(text ? { text } : {}),
    ...(attachment ? { content: [{ attachment }] } : {}),
  };
}

export interface ButtonTapMappingInput {
  chatId: string;
  tap: ButtonTap;
  updateId: number;
  /** When the bridge received the tap: a callback_query carries no date of its own. */
  receivedAtMs: number;
  botUsername?: string | undefined;
}

/** `<chat_id>:cb:<callback_query.id>`: stable across retries, and never equal to a message's id. */
export function genesysTapMessageIdOf(chatId: string, callbackQueryId: string): string {
  return `${chatId}:cb:${callbackQueryId}`;
}

/** A tap on a keyboard the bridge sent → the body of Genesys `/inbound/open/structured/response` (SPEC §5). */
export function toGenesysStructuredResponse(input: ButtonTapMappingInput): OpenInboundStructuredResponse {
  const { tap } = input;
  return {
    channel: channelOf({ ...input, sender: tap.from }, genesysTapMessageIdOf(input.chatId, tap.callbackQueryId), Math.floor(input.receivedAtMs / 1000)),
    buttonResponse: { type: tap.type, text: tap.text, payload: tap.payload },
    originatingMessageId: tap.originatingMessageId,
  };
}

/**
 * The same tap as a plain text message, for a keyboard whose Genesys conversation has ended
 * (Genesys refuses a response to a message of a closed conversation): the answer still reaches an
 * agent, in the chat's current conversation, as the label the customer chose.
 */
export function toGenesysTapAsText(input: ButtonTapMappingInput): OpenInboundMessage {
  return { channel: toGenesysStructuredResponse(input).channel, text: input.tap.text || UNSUPPORTED_PLACEHOLDER };
}

function channelOf(
  input: { chatId: string; updateId: number; botUsername?: string | undefined; sender: TelegramUser | undefined },
  messageId: string,
  unixS: number,
): OpenInboundMessage['channel'] {
  const { chatId, sender } = input;
  const nickname = sender?.username ? `@${sender.username}` : fullName(sender?.first_name, sender?.last_name);
  return {
    messageId,
    time: isoTimeOf(unixS),
    from: { id: chatId, idType: 'Opaque', ...definedOnly({ nickname, firstName: sender?.first_name, lastName: sender?.last_name }) },
    metadata: {
      customAttributes: definedOnly({
        telegramChatId: chatId,
        telegramUpdateId: String(input.updateId),
        telegramUsername: sender?.username,
        telegramLanguage: sender?.language_code,
        telegramBot: input.botUsername,
      }),
    },
  };
}

/** Location, venue (which also sets location) and contact, as readable text. */
function placeLines(message: TelegramMessage): string[] {
  const lines: string[] = [];
  const { location, venue, contact } = message;
  const mapLink = location ? ` https://maps.google.com/?q=${location.latitude},${location.longitude}` : '';
  if (venue) lines.push(`📍 Venue: ${venue.title}, ${venue.address}${mapLink}`);
  else if (location) lines.push(`📍 Location: ${location.latitude}, ${location.longitude}${mapLink}`);
  if (contact) lines.push(`👤 Contact: ${fullName(contact.first_name, contact.last_name) ?? ''}, ${contact.phone_number}`);
  return lines;
}

function fullName(first: string | undefined, last: string | undefined): string | undefined {
  const name = [first, last].filter(Boolean).join(' ');
  return name || undefined;
}

function isoTimeOf(unixS: number): string {
  const time = new Date(unixS * 1000);
  // Date caps at ±8.64e15 ms; past that toISOString throws, and no retry can fix the message.
  if (Number.isNaN(time.getTime())) throw new PermanentError('Telegram message date out of range', 'telegram_bad_date');
  return time.toISOString();
}

/** Drops undefined values: Genesys attributes are strings only, and an absent name stays absent. */
function definedOnly<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  // fromEntries returns { [k: string]: unknown }; the filter keeps only defined values of T's keys.
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
