import { z } from 'zod';
import { OpenOutboundMessage } from '../genesys/open-messaging.js';
import { ChannelName, ChatId, OrderKey, TraceCarrier, ReplayedAtMs } from './common.js';

/**
 * reply intake → Telegram sender: the next agent reply of one chat, handed out by the chat's turn
 * (one in flight per chat, in order of `orderKey`).
 */
export const TelegramReplyReadyV1 = z.object({
  channel: ChannelName,
  chatId: ChatId,
  /** Fixed-width (channel.time, arrival sequence) key of the reply within its chat. */
  orderKey: OrderKey,
  reply: OpenOutboundMessage,
  receivedAtMs: z.number().int(),
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
  /** How often an operator's `dlq replay` put this turn back in its chat's line (each time under a new job id). */
  replay: z.number().int().min(1).optional(),
});
export type TelegramReplyReadyV1 = z.infer<typeof TelegramReplyReadyV1>;
