/** Telegram updates for the benchmark, and the record of which of them the bridge acknowledged. */

let nextUpdateId = 1;

export interface UpdateKey {
  chatId: number;
  messageId: number;
}

/** A realistic private-chat text update; update ids are unique across the whole run. */
export function textUpdateBody({ chatId, messageId }: UpdateKey, updateId = nextUpdateId++): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Bench' },
      from: { id: chatId, is_bot: false, first_name: 'Bench', username: `bench_${chatId}`, language_code: 'en' },
      text: `benchmark message ${messageId} of chat ${chatId}: where is my order?`,
    },
  });
}

/** Reads chat and message id back from a body built by textUpdateBody. */
export function keyOf(body: string): UpdateKey {
  const parsed = JSON.parse(body) as { message: { chat: { id: number }; message_id: number } };
  return { chatId: parsed.message.chat.id, messageId: parsed.message.message_id };
}

/** Genesys' `channel.messageId` of a Telegram message as the bridge sends it. */
export function genesysMessageId({ chatId, messageId }: UpdateKey): string {
  return `${chatId}:${messageId}`;
}

/**
 * Round-robin over `chats` chats starting at `chatBase` (each phase its own range, so phases never
 * share a chat), message ids in order per chat; `sentAtMs` remembers when each was built.
 */
export class UpdateStream {
  private turn = 0;
  private readonly nextMessageId = new Map<number, number>();
  readonly sentAtMs = new Map<string, number>();

  constructor(
    private readonly chatBase: number,
    private readonly chats: number,
  ) {}

  next(): string {
    const chatId = this.chatBase + (this.turn++ % this.chats);
    const messageId = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, messageId);
    this.sentAtMs.set(genesysMessageId({ chatId, messageId }), Date.now());
    return textUpdateBody({ chatId, messageId });
  }
}

/**
 * What the bridge promised to deliver: only updates it answered 2xx (SPEC §4: 200 only once Redis
 * holds the update). An update sent but never acknowledged (timeout, 503, the run ending) is not
 * owed; one acknowledged twice (a duplicate post) is owed once.
 */
export class AckedUpdates {
  private readonly byChat = new Map<string, Set<number>>();

  add(key: UpdateKey): void {
    const chat = String(key.chatId);
    const ids = this.byChat.get(chat) ?? new Set<number>();
    ids.add(key.messageId);
    this.byChat.set(chat, ids);
  }

  get size(): number {
    let count = 0;
    for (const ids of this.byChat.values()) count += ids.size;
    return count;
  }

  /** Genesys message ids, for waiting on delivery. */
  messageIds(): string[] {
    return [...this.byChat].flatMap(([chat, ids]) => [...ids].map((id) => `${chat}:${id}`));
  }

  /** chat → message ids in ascending order, as checkDelivery takes them. */
  toExpected(): Map<string, number[]> {
    return new Map([...this.byChat].map(([chat, ids]) => [chat, [...ids].sort((a, b) => a - b)]));
  }

  /** Everything of `other` added to this one. */
  merge(other: AckedUpdates): void {
    for (const messageId of other.messageIds()) {
      const [chatId, id] = messageId.split(':');
      this.add({ chatId: Number(chatId), messageId: Number(id) });
    }
  }
}
