import type { ChatId } from '@tgg/contracts';

/**
 * `<channel>:<chatId>`: the one name of a chat in the turn store (a Redis hash tag, and the member
 * of the due set). Branded so that a bare chat id, which means nothing without its channel, cannot
 * be passed where a chat's turns are meant; `chatRefOf` is the only way to make one.
 */
export type ChatRef = string & { readonly __brand: 'ChatRef' };

export function chatRefOf(channel: string, chatId: ChatId): ChatRef {
  return `${channel}:${chatId}` as ChatRef; // the brand is this function's promise
}

/** A chat ref read back from Redis (the due set holds only refs written by chatRefOf). */
export function storedChatRef(text: string): ChatRef {
  return text as ChatRef;
}
