import { z } from 'zod';
import { UpdateEnvelope } from '../telegram/update.js';
import { ChannelName, TraceCarrier, ReplayedAtMs } from './common.js';

/**
 * ingress → sequencer: one accepted webhook update, as Telegram sent it. Ingress checks only the
 * envelope (integer update_id); everything else is decided after the update is stored, because an
 * update that keeps getting non-2xx blocks its chat at Telegram for up to 24 h.
 */
export const TelegramUpdateReceivedV1 = z.object({
  channel: ChannelName,
  update: UpdateEnvelope,
  receivedAtMs: z.number().int(), // epoch ms survives JSON; Date does not
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
});
export type TelegramUpdateReceivedV1 = z.infer<typeof TelegramUpdateReceivedV1>;
