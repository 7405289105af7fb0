import { z } from 'zod';
import { OpenOutboundMessage } from '../genesys/open-messaging.js';
import { ChannelName, TraceCarrier, ReplayedAtMs } from './common.js';

/** outbound webhook → Telegram sender: one authentic Genesys outbound message. */
export const GenesysReplyReceivedV1 = z.object({
  channel: ChannelName,
  reply: OpenOutboundMessage,
  receivedAtMs: z.number().int(),
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
});
export type GenesysReplyReceivedV1 = z.infer<typeof GenesysReplyReceivedV1>;
