import type { JobName } from '@tgg/contracts';

/**
 * Every BullMQ queue of the bridge. Renaming a value strands the jobs already in Redis under the
 * old name: add a queue, never rename one.
 */
export const QueueName = {
  TelegramUpdates: 'telegram-updates', // ingress → sequencer
  GenesysInbound: 'genesys-inbound', // sequencer → dispatcher, per-chat order restored
  GenesysReplies: 'genesys-replies', // outbound webhook → reply intake (per-chat turns)
  TelegramSends: 'telegram-sends', // reply intake → Telegram sender, one reply per chat at a time, in order
  GenesysReceipts: 'genesys-receipts', // Telegram sender → Genesys delivery receipts
  Maintenance: 'maintenance', // job schedulers (message retention) → dispatcher, one run per cluster
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);

/**
 * Which job names each queue carries: its producers add only these, and a service consuming the
 * queue must have exactly one handler for each (the worker host refuses to boot otherwise). A new
 * job name (a `.v2` beside its `.v1`) goes into its queue's list here, with its handler.
 */
export const QUEUE_JOB_NAMES = {
  [QueueName.TelegramUpdates]: ['telegram-update-received.v1'],
  [QueueName.GenesysInbound]: ['genesys-message-ready.v1'],
  [QueueName.GenesysReplies]: ['genesys-reply-received.v1'],
  [QueueName.TelegramSends]: ['telegram-reply-ready.v1'],
  [QueueName.GenesysReceipts]: ['genesys-receipt-ready.v1'],
  [QueueName.Maintenance]: ['message-retention-due.v1'],
} as const satisfies Record<QueueName, readonly JobName[]>;

/** The job names queue `Q` carries. */
export type QueueJobName<Q extends QueueName> = (typeof QUEUE_JOB_NAMES)[Q][number];
