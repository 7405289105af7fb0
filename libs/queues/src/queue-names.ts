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
