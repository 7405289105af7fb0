import type { z } from 'zod';
import { GenesysMessageReadyV1 } from './genesys-message-ready.v1.js';
import { GenesysReplyReceivedV1 } from './genesys-reply-received.v1.js';
import { GenesysReceiptReadyV1 } from './genesys-receipt-ready.v1.js';
import { MessageRetentionDueV1 } from './message-retention-due.v1.js';
import { TelegramReplyReadyV1 } from './telegram-reply-ready.v1.js';
import { TelegramUpdateReceivedV1 } from './telegram-update-received.v1.js';

/**
 * The one registry of job names → schemas. Changing a payload means adding a `.v2` name, deploying
 * consumers that accept both, and deleting v1 once its queue has drained — never editing v1.
 */
export const JOB_SCHEMAS = {
  'telegram-update-received.v1': TelegramUpdateReceivedV1,
  'genesys-message-ready.v1': GenesysMessageReadyV1,
  'genesys-reply-received.v1': GenesysReplyReceivedV1,
  'telegram-reply-ready.v1': TelegramReplyReadyV1,
  'genesys-receipt-ready.v1': GenesysReceiptReadyV1,
  'message-retention-due.v1': MessageRetentionDueV1,
} as const;
export type JobName = keyof typeof JOB_SCHEMAS;
export type JobData<N extends JobName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

export * from './common.js';
export { toJobId } from './job-id.js';
export { GenesysMessageReadyV1, GenesysReplyReceivedV1, TelegramUpdateReceivedV1 };
export { ButtonTap } from './genesys-message-ready.v1.js';
export { GenesysReceiptReadyV1, TelegramReplyReadyV1, MessageRetentionDueV1 };
