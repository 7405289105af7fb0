import { z } from 'zod';
import { ChatMemberUpdated, TelegramMessage } from '../telegram/update.js';
import { ChannelName, ChatId, OrderKey, TraceCarrier, ReplayedAtMs } from './common.js';

/** sequencer → dispatcher: the next update of one chat, released in order. */
export const GenesysMessageReadyV1 = z.object({
  channel: ChannelName,
  chatId: ChatId,
  updateId: z.number().int(),
  /**
   * The message's turn in its chat; null for my_chat_member, which takes no turn. Jobs written
   * before "no turn" was explicit carry '' and still parse (as null).
   */
  orderKey: z.union([z.literal('').transform(() => null), OrderKey]).nullable(),
  item: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('message'), message: TelegramMessage }),
    z.object({ kind: z.literal('edited_message'), message: TelegramMessage }),
    z.object({ kind: z.literal('my_chat_member'), member: ChatMemberUpdated }),
  ]),
  receivedAtMs: z.number().int(),
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
  /** How often an operator's `dlq replay` put this turn back in its chat's line (each time under a new job id). */
  replay: z.number().int().min(1).optional(),
});
export type GenesysMessageReadyV1 = z.infer<typeof GenesysMessageReadyV1>;
