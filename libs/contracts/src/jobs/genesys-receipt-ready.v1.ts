import { z } from 'zod';
import { OpenInboundReceipt } from '../genesys/open-messaging.js';
import { ChannelName, TraceCarrier, ReplayedAtMs } from './common.js';

/**
 * Telegram sender → receipt poster: the final Delivered/Failed receipt of one agent reply. A job of
 * its own so that a Genesys outage retries the receipt only, never the Telegram send.
 */
export const GenesysReceiptReadyV1 = z.object({
  channel: ChannelName,
  receipt: OpenInboundReceipt,
  trace: TraceCarrier,
  replayedAtMs: ReplayedAtMs,
});
export type GenesysReceiptReadyV1 = z.infer<typeof GenesysReceiptReadyV1>;
