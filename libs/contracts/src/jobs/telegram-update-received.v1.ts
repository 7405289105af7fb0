import { z } from 'zod';
import { TelegramUpdate } from '../telegram/update.js';
import { ChannelName, TraceCarrier } from './common.js';

/** ingress → sequencer: one accepted webhook update, as Telegram sent it. */
export const TelegramUpdateReceivedV1 = z.object({
  channel: ChannelName,
  update: TelegramUpdate,
  receivedAtMs: z.number().int(), // epoch ms survives JSON; Date does not
  trace: TraceCarrier,
});
export type TelegramUpdateReceivedV1 = z.infer<typeof TelegramUpdateReceivedV1>;
