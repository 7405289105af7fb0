import type { Redis } from 'ioredis';
import { callbackDataOf, buttonIdOf, newKeyboardId, parseKeyboardButton, serializeKeyboardButton, type KeyboardButtonRecord } from './keyboard-buttons.js';

/**
 * How long a keyboard stays tappable. A tap after this is "on anything else": answered and ignored
 * (the customer can still type). Thirty days outlives any Genesys conversation a menu belongs to.
 */
export const KEYBOARD_BUTTON_TTL_S = 30 * 24 * 3600;

/**
 * Where keyboard buttons live: Redis, `<QUEUE_PREFIX>:kb-button:<buttonId>` (the record) and
 * `<QUEUE_PREFIX>:kb-answered:<keyboardId>` (set once the keyboard's first tap was taken). Outbound
 * writes the buttons before it sends the keyboard; ingress/dispatcher read them when a tap comes.
 */
export class KeyboardButtonStore {
  constructor(
    private readonly redis: Redis,
    private readonly queuePrefix: string,
    private readonly ttlS = KEYBOARD_BUTTON_TTL_S,
  ) {}

  /** Stores the buttons (in one transaction) and returns each one's `callback_data`, in order. */
  async save(buttons: readonly KeyboardButtonRecord[]): Promise<string[]> {
    if (buttons.length === 0) return [];
    const ids = buttons.map(() => newKeyboardId());
    const transaction = this.redis.multi();
    buttons.forEach((button, i) => transaction.set(this.buttonKey(ids[i]!), serializeKeyboardButton(button), 'EX', this.ttlS));
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (!results || failed) throw failed ?? new Error('keyboard buttons were not stored (transaction aborted)');
    return ids.map(callbackDataOf);
  }

  /** The button a `callback_data` names, or undefined when it is not the bridge's or has expired. */
  async find(callbackData: string | undefined): Promise<KeyboardButtonRecord | undefined> {
    const id = buttonIdOf(callbackData);
    return id === undefined ? undefined : parseKeyboardButton(await this.redis.get(this.buttonKey(id)));
  }

  /** True for the first caller only: the keyboard's one answer. Later taps on it do nothing. */
  async markAnswered(keyboardId: string): Promise<boolean> {
    return (await this.redis.set(this.answeredKey(keyboardId), '1', 'EX', this.ttlS, 'NX')) === 'OK';
  }

  /**
   * markAnswered for a caller that may have to ask again: true when `tapId` (a callback_query id)
   * is the keyboard's one answer — first to claim it, or the claimant asking again because the
   * update came back after we could not store it (a 503 makes Telegram redeliver the same tap).
   */
  async claimAnswer(keyboardId: string, tapId: string): Promise<boolean> {
    const key = this.answeredKey(keyboardId);
    const previous = await this.redis.set(key, tapId, 'EX', this.ttlS, 'NX', 'GET');
    return previous === null || previous === tapId;
  }

  private buttonKey(buttonId: string): string {
    return `${this.queuePrefix}:kb-button:${buttonId}`;
  }

  private answeredKey(keyboardId: string): string {
    return `${this.queuePrefix}:kb-answered:${keyboardId}`;
  }
}
