import { z } from 'zod';

/** Channel names appear in URLs and Redis keys, so they are kept to a safe alphabet. */
export const ChannelName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'channel names are 1-63 of a-z 0-9 _ - (starting with a letter or digit)');
export type ChannelName = z.infer<typeof ChannelName>;

/** W3C trace context carried in job data so one trace follows a message across services. */
export const TraceCarrier = z.record(z.string(), z.string());
export type TraceCarrier = z.infer<typeof TraceCarrier>;

/** Chat ids as decimal strings: they exceed 32 bits and must never pass through float arithmetic. */
export const ChatIdString = z.string().regex(/^-?\d{1,20}$/);

/**
 * A Telegram chat id in a job, branded so it cannot be passed where an order key, a job id or a
 * chat ref (channel + chat) belongs. Made by `chatIdOf` (from Telegram's number) or by parsing.
 */
export const ChatId = ChatIdString.brand<'ChatId'>();
export type ChatId = z.infer<typeof ChatId>;

/** The id of a chat Telegram gave as a (safe-integer) number. */
export function chatIdOf(id: number): ChatId {
  return String(id) as ChatId; // a safe integer prints as ChatIdString's digits
}

/**
 * A message's place within its chat: a fixed-width string whose byte order is the delivery order
 * (see @tgg/chat-turns order keys). Branded so that a chat id or a job id cannot be passed where
 * an order key belongs; only the order-key functions (and this schema, for stored jobs) make one.
 */
export const OrderKey = z.string().min(1).brand<'OrderKey'>();
export type OrderKey = z.infer<typeof OrderKey>;

/**
 * Set by `npm run cli -- dlq replay`: the operator's replay restarts the job's delivery horizon
 * (DELIVERY_HORIZON_S), which otherwise runs from when the bridge received the message. Optional,
 * so jobs queued before it existed still parse.
 */
export const ReplayedAtMs = z.number().int().optional();
