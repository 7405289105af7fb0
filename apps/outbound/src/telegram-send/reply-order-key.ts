import { ChatIdString } from '@tgg/contracts';

/**
 * A reply's place in its chat: (channel.time, arrival sequence) as one fixed-width string, so the
 * chat-turn scripts' byte-wise comparison is the same order. channel.time comes first because
 * Genesys retries can reorder deliveries (webhook retry policy, https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html),
 * so order per channel.to.id follows channel.time; the arrival sequence (BullMQ's job counter of the genesys-replies queue, taken
 * atomically when the webhook enqueued) breaks ties between replies stamped in the same
 * millisecond. Both come from the stored job, so an intake retry computes the same key and the
 * turn store recognises the duplicate.
 */

const TIME_DIGITS = 15; // ms since 1970 fits until the year 33658
const SEQUENCE_DIGITS = 16;

export function replyOrderKey(channelTime: string | undefined, arrivalSequence: number, receivedAtMs: number): string {
  const parsedMs = channelTime === undefined ? Number.NaN : Date.parse(channelTime);
  // A missing or unreadable time sorts as the moment the webhook received the reply.
  const timeMs = Number.isFinite(parsedMs) && parsedMs >= 0 && parsedMs < 10 ** TIME_DIGITS ? parsedMs : receivedAtMs;
  if (!Number.isSafeInteger(arrivalSequence) || arrivalSequence < 0) throw new RangeError(`arrival sequence must be a non-negative integer, got ${arrivalSequence}`);
  return `${String(timeMs).padStart(TIME_DIGITS, '0')}.${String(arrivalSequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The Telegram chat a reply goes to (`channel.to.id`, the id we sent inbound), or undefined when it cannot be one. */
export function telegramChatIdOf(toId: string): string | undefined {
  return ChatIdString.safeParse(toId).success ? toId : undefined;
}
