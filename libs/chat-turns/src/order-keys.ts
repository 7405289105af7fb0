import type { OrderKey } from '@tgg/contracts';

/**
 * Order keys of Telegram messages. A message is keyed `[messageId, unixDateS]`; an edit of message
 * M is keyed `[M, edit_date, 'e<edit_date>']`. Keys compare field by field: messageId, then date,
 * then the variant (the message itself, 'm' or absent, before any edit; edits by their edit date).
 * So an edit of message 5 sorts after message 5 and before message 6, and it cannot collide with
 * its own original even when both carry the same second. `orderKeyString` writes the same order as
 * a fixed-width string (the branded OrderKey the turn store and the jobs carry), so Redis and Lua
 * compare keys byte-wise in the same order.
 *
 * A button tap (callback_query) has no message_id of its own, and Telegram delivers taps and
 * messages in separate queues with no order between them. So a tap is ordered by its arrival: it
 * is keyed `[M, D, 't<update_id>']` where `[M, D]` is the chat's highest key the sequencer knows
 * when the tap arrives (D raised to the arrival second), see `tapOrderKeyAfter`. Rank 2 puts it
 * after message M and the edits of M seen before it, and before message M + 1; among taps after
 * the same message, arrival second and then update_id (Telegram's increasing counter) order them.
 */

export type OrderVariant = 'm' | `e${number}` | `t${number}`;
/** An order key as its fields, for comparing in memory (the pure model) and for writing with orderKeyString. */
export type OrderKeyParts = readonly [messageId: number, unixDateS: number, variant?: OrderVariant];

const MAX_MESSAGE_ID = 2 ** 31;
const MAX_UNIX_DATE_S = 2 ** 32;
const FIELD_WIDTH = 10; // digits of 2^32 = 4294967296, the widest field

/** The key of a message (`'message'`) or of an edit of it (`'edited_message'`). */
export function orderKeyOf(
  kind: 'message' | 'edited_message',
  message: { message_id: number; date: number; edit_date?: number | undefined },
): OrderKeyParts {
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
export function orderKeyString(messageId: number, unixDateS: number, variant: OrderVariant = 'm'): OrderKey {
  assertField('messageId', messageId, MAX_MESSAGE_ID);
  assertField('unixDateS', unixDateS, MAX_UNIX_DATE_S);
  const [rank, detail] = variantRank(variant);
  const variantField = `${rank}:${pad(detail)}`;
  return `${pad(messageId)}:${pad(unixDateS)}:${variantField}` as OrderKey; // fixed width, digits and ':' only, as above
}

/**
 * The key of a tap that arrived at `arrivalS`, given the highest key its chat has (undefined for a
 * chat with none remembered): just after it, see the top of this file.
 */
export function tapOrderKeyAfter(highest: OrderKey | undefined, arrivalS: number, updateId: number): OrderKey {
  const [messageId, dateS] = highest === undefined ? [0, 0] : highest.split(':', 2).map(Number);
  return orderKeyString(messageId ?? 0, Math.max(dateS ?? 0, arrivalS), `t${updateId}`);
}

/** Negative, zero or positive as `a` sorts before, with or after `b` (see the top of this file). */
export function compareOrderKeys(a: OrderKeyParts, b: OrderKeyParts): number {
  const [aRank, aEdit] = variantRank(a[2]);
  const [bRank, bEdit] = variantRank(b[2]);
  return a[0] - b[0] || a[1] - b[1] || aRank - bRank || aEdit - bEdit;
}

/** Equal keys give equal strings; unlike `orderKeyString` it accepts any number (no range check). */
export function memoryKey(key: OrderKeyParts): string {
  const [rank, editDateS] = variantRank(key[2]);
  return `${key[0]}:${key[1]}:${rank}:${editDateS}`;
}

/** Rank 0 the message itself, 1 an edit (by edit date), 2 a tap after it (by update_id). */
function variantRank(variant: OrderVariant | undefined): readonly [rank: number, detail: number] {
  if (variant === undefined || variant === 'm') return [0, 0];
  const detail = /^[et]\d{1,10}$/.test(variant) ? Number(variant.slice(1)) : Number.NaN;
  if (!(detail <= MAX_UNIX_DATE_S)) throw new RangeError(`order key variant must be 'm', 'e<editDateS>' or 't<updateId>'`);
  return [variant.startsWith('e') ? 1 : 2, detail];
}

function assertField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}]`);
  }
}

function pad(value: number): string {
  return String(value).padStart(FIELD_WIDTH, '0');
}
