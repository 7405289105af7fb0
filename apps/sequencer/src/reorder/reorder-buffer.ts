/**
 * Per-chat reorder buffer: the rules. The Redis store mirrors exactly these, so keep them crisp.
 *
 * 1. Order key. A message is keyed `[messageId, unixDateS]`; an edit of message M is keyed
 *    `[M, edit_date, 'e<edit_date>']`. Keys compare field by field: messageId, then date, then the
 *    variant (the message itself, 'm' or absent, before any edit; edits by their edit date). So an
 *    edit of message 5 sorts after message 5 and before message 6, and it cannot collide with its
 *    own original even when both carry the same second. `orderKeyString` writes the same order as a
 *    fixed-width string for a lexicographically sorted Redis set.
 * 2. accept(key, item, nowMs):
 *    - 'duplicate' when an equal key is pending, equals the last released key, or is among the
 *      last RELEASED_KEYS_REMEMBERED keys released or reported late. Nothing is kept.
 *    - 'late' when the key is below the last released key (a later message already left). It is not
 *      held; the caller forwards it at once and counts it. Its key is remembered as released.
 *    - 'held' otherwise; the entry is due at `nowMs + windowMs`.
 * 3. release(nowMs): let P be the highest-keyed pending entry whose due time is ≤ nowMs. Every
 *    pending entry with a key ≤ P's leaves, in key order (an early-due higher entry pulls the lower
 *    ones out with it, so order holds); entries above P stay. The last key out becomes the last
 *    released key. Hence everything pending is always above the last released key, and released
 *    keys strictly increase; only 'late' items break that order, and they are reported as such.
 * 4. windowMs = 0 passes through: an accepted entry is due at once.
 *
 * Duplicate memory is bounded (RELEASED_KEYS_REMEMBERED per chat, oldest forgotten first); a key
 * that old comes back as 'late', not 'duplicate'. The database's unique message key is the last
 * guard against such replays, not this buffer.
 */

export type OrderVariant = 'm' | `e${number}`;
export type OrderKey = readonly [messageId: number, unixDateS: number, variant?: OrderVariant];
export type AcceptOutcome = 'held' | 'late' | 'duplicate';

/** How many released (or late) keys per chat are remembered to recognise duplicates. */
export const RELEASED_KEYS_REMEMBERED = 1024;

const MAX_MESSAGE_ID = 2 ** 31;
const MAX_UNIX_DATE_S = 2 ** 32;
const FIELD_WIDTH = 10; // digits of 2^32 = 4294967296, the widest field
const KEY_STRING_PATTERN = /^(\d{10}):(\d{10}):(?:0:(0{10})|1:(\d{10}))$/;

/** The key of a message (`'message'`) or of an edit of it (`'edited_message'`), per rule 1. */
export function orderKeyOf(
  kind: 'message' | 'edited_message',
  message: { message_id: number; date: number; edit_date?: number | undefined },
): OrderKey {
  if (kind === 'message') return [message.message_id, message.date, 'm'];
  const editDateS = message.edit_date ?? message.date;
  return [message.message_id, editDateS, `e${editDateS}`];
}

/**
 * `<messageId:10>:<unixDateS:10>:<0:0000000000 | 1:<editDateS:10>>`, e.g. message 5 is
 * `0000000005:1767225660:0:0000000000` and its edit `0000000005:1767225700:1:1767225700`. Digits
 * and ':' only, each field fixed width, so string order equals key order. A rank digit (0 message,
 * 1 edit) rather than the letters 'm'/'e' because 'e' < 'm' would put an edit before its original.
 */
export function orderKeyString(messageId: number, unixDateS: number, variant: OrderVariant = 'm'): string {
  assertField('messageId', messageId, MAX_MESSAGE_ID);
  assertField('unixDateS', unixDateS, MAX_UNIX_DATE_S);
  const editDateS = editDateOf(variant);
  const variantField = editDateS === undefined ? `0:${pad(0)}` : `1:${pad(editDateS)}`;
  return `${pad(messageId)}:${pad(unixDateS)}:${variantField}`;
}

/** Inverse of `orderKeyString`; throws a RangeError for anything it could not have written. */
export function parseOrderKeyString(text: string): { messageId: number; unixDateS: number; variant: OrderVariant } {
  const match = KEY_STRING_PATTERN.exec(text);
  if (!match) throw new RangeError('not an order key string');
  const [, messageIdDigits = '', dateDigits = '', , editDigits] = match;
  const messageId = Number(messageIdDigits);
  const unixDateS = Number(dateDigits);
  const variant: OrderVariant = editDigits === undefined ? 'm' : `e${Number(editDigits)}`;
  // Re-encoding rejects out-of-range fields (e.g. a messageId above 2^31) with the same rules.
  orderKeyString(messageId, unixDateS, variant);
  return { messageId, unixDateS, variant };
}

/** Negative, zero or positive as `a` sorts before, with or after `b` (rule 1). */
export function compareOrderKeys(a: OrderKey, b: OrderKey): number {
  const [aRank, aEdit] = variantRank(a[2]);
  const [bRank, bEdit] = variantRank(b[2]);
  return a[0] - b[0] || a[1] - b[1] || aRank - bRank || aEdit - bEdit;
}

interface PendingEntry<T> {
  key: OrderKey;
  dueAtMs: number;
  item: T;
}

/** Holds one chat's items for `windowMs` so late arrivals can slot in before them (rules above). */
export class ReorderBuffer<T> {
  private readonly pending: PendingEntry<T>[] = []; // sorted by key, keys unique
  private lastReleased: OrderKey | undefined;
  // A Set iterates in insertion order, so its first value is the oldest remembered key.
  private readonly releasedKeys = new Set<string>();

  constructor(private readonly windowMs: number) {
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError('windowMs must be a finite number ≥ 0');
  }

  get size(): number {
    return this.pending.length;
  }

  accept(key: OrderKey, item: T, nowMs: number): AcceptOutcome {
    const index = this.insertionIndex(key);
    const atIndex = this.pending[index];
    if (atIndex && compareOrderKeys(atIndex.key, key) === 0) return 'duplicate';
    if (this.releasedKeys.has(memoryKey(key))) return 'duplicate';
    if (this.lastReleased) {
      const order = compareOrderKeys(key, this.lastReleased);
      if (order === 0) return 'duplicate';
      if (order < 0) {
        this.remember(key);
        return 'late';
      }
    }
    this.pending.splice(index, 0, { key, dueAtMs: nowMs + this.windowMs, item });
    return 'held';
  }

  release(nowMs: number): T[] {
    const lastDueIndex = this.pending.findLastIndex((entry) => entry.dueAtMs <= nowMs);
    if (lastDueIndex < 0) return [];
    const released = this.pending.splice(0, lastDueIndex + 1);
    for (const entry of released) this.remember(entry.key);
    this.lastReleased = released.at(-1)?.key ?? this.lastReleased;
    return released.map((entry) => entry.item);
  }

  /** When the next call to `release` will return something; undefined when nothing is pending. */
  nextDueAtMs(): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.pending) if (earliest === undefined || entry.dueAtMs < earliest) earliest = entry.dueAtMs;
    return earliest;
  }

  /** First index whose key is ≥ `key` (binary search over the sorted pending list). */
  private insertionIndex(key: OrderKey): number {
    let low = 0;
    let high = this.pending.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = this.pending[middle];
      if (entry && compareOrderKeys(entry.key, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private remember(key: OrderKey): void {
    this.releasedKeys.add(memoryKey(key));
    if (this.releasedKeys.size <= RELEASED_KEYS_REMEMBERED) return;
    const oldest = this.releasedKeys.values().next();
    if (!oldest.done) this.releasedKeys.delete(oldest.value);
  }
}

/** Equal keys give equal strings; unlike `orderKeyString` it accepts any number (no range check). */
function memoryKey(key: OrderKey): string {
  const [rank, editDateS] = variantRank(key[2]);
  return `${key[0]}:${key[1]}:${rank}:${editDateS}`;
}

function variantRank(variant: OrderVariant | undefined): readonly [rank: number, editDateS: number] {
  const editDateS = editDateOf(variant ?? 'm');
  return editDateS === undefined ? [0, 0] : [1, editDateS];
}

function editDateOf(variant: OrderVariant): number | undefined {
  if (variant === 'm') return undefined;
  const editDateS = /^e\d{1,10}$/.test(variant) ? Number(variant.slice(1)) : Number.NaN;
  if (!(editDateS <= MAX_UNIX_DATE_S)) throw new RangeError(`order key variant must be 'm' or 'e<editDateS>'`);
  return editDateS;
}

function assertField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}]`);
  }
}

function pad(value: number): string {
  return String(value).padStart(FIELD_WIDTH, '0');
}
