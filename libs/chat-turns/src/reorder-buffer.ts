/**
 * Per-chat reorder buffer: the rules. The Redis store (ChatTurnStore and its Lua) runs exactly
 * these; reorder-agreement.int-spec.ts drives both side by side on long random runs.
 *
 * 1. Order key: see order-keys.ts (message id, date, then the message before its edits).
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
 * 5. Duplicate memory is bounded: RELEASED_KEYS_REMEMBERED keys per chat, and when it is full the
 *    key remembered longest ago is forgotten (oldest inserted, not smallest key). Telegram
 *    redelivers an update some time after it first came, whatever its key; a message that arrived
 *    late has a small key but was seen just now, so forgetting the smallest key would forget exactly
 *    the late arrival whose redelivery is most likely next. A forgotten key comes back as 'late',
 *    not 'duplicate'; the database's unique message key is the last guard against such replays.
 */

import { compareOrderKeys, memoryKey, type OrderKeyParts } from './order-keys.js';

export type AcceptOutcome = 'held' | 'late' | 'duplicate';

/** How many released (or late) keys per chat are remembered to recognise duplicates. */
export const RELEASED_KEYS_REMEMBERED = 1024;

interface PendingEntry<T> {
  key: OrderKeyParts;
  dueAtMs: number;
  item: T;
}

/** Holds one chat's items for `windowMs` so late arrivals can slot in before them (rules above). */
export class ReorderBuffer<T> {
  private readonly pending: PendingEntry<T>[] = []; // sorted by key, keys unique
  private lastReleased: OrderKeyParts | undefined;
  // A Set iterates in insertion order, so its first value is the oldest remembered key.
  private readonly releasedKeys = new Set<string>();

  constructor(private readonly windowMs: number) {
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError('windowMs must be a finite number ≥ 0');
  }

  get size(): number {
    return this.pending.length;
  }

  accept(key: OrderKeyParts, item: T, nowMs: number): AcceptOutcome {
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
  private insertionIndex(key: OrderKeyParts): number {
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

  private remember(key: OrderKeyParts): void {
    this.releasedKeys.add(memoryKey(key));
    if (this.releasedKeys.size <= RELEASED_KEYS_REMEMBERED) return;
    const oldest = this.releasedKeys.values().next();
    if (!oldest.done) this.releasedKeys.delete(oldest.value);
  }
}

