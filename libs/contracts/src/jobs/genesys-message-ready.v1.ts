import { z } from 'zod';
import { ChatMemberUpdated, TelegramMessage, TelegramUser } from '../telegram/update.js';
import { ChannelName, ChatId, OrderKey, TraceCarrier, ReplayedAtMs } from './common.js';

/**
 * A customer's tap on a keyboard the bridge sent, with the button it stands for (read from the
 * keyboard button store by the sequencer, so the job is whole even if the store forgets it).
 */
export const ButtonTap = z.object({
  /** `callback_query.id`: names the tap in `channel.messageId` (`<chat_id>:cb:<id>`). */
  callbackQueryId: z.string().min(1).max(64),
  /** The message that carried the keyboard. */
  keyboardMessageId: z.number().int().nonnegative(),
  from: TelegramUser,
  /** The Genesys outbound `Structured` message the customer answered. */
  originatingMessageId: z.string().min(1),
  type: z.enum(['Button', 'QuickReply', 'DatePicker']),
  text: z.string(),
  payload: z.string(),
});
export type ButtonTap = z.infer<typeof ButtonTap>;

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
    z.object({ kind: z.literal('button_tap'), tap: ButtonTap }),
  ]),
  receivedAtMs: z.number().int(),
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
  /** How often an operator's `dlq replay` put this turn back in its chat's line (each time under a new job id). */
  replay: z.number().int().min(1).optional(),
});
export type GenesysMessageReadyV1 = z.infer<typeof GenesysMessageReadyV1>;
