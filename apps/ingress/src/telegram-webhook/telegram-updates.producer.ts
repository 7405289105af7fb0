import { incomingChatIdOf, type TelegramUpdateReceivedV1 } from '@tgg/contracts';
import { chatIntakeQueueProvider, type ChatIntakeQueue } from '@tgg/service-runtime';
import { QueueName, UPDATE_DEDUPLICATION_TTL_MS, toJobId } from '@tgg/queues';

/** Accepted webhook updates on the telegram-updates queue, de-duplicated by (channel, update_id). */
export const TELEGRAM_UPDATES = Symbol('TELEGRAM_UPDATES');
export type TelegramUpdatesIntake = ChatIntakeQueue<'telegram-update-received.v1'>;

/**
 * The deduplication key outlives the job for 25 h, covering Telegram's 24 h redelivery. A message
 * (or a tap on a message) is marked as on its way into its chat's reorder buffer, so a sequencer
 * crash cannot let later messages of that chat overtake it. A tap is de-duplicated by its
 * callback_query.id instead, which also covers its update_id: Telegram redelivers a tap under the
 * same update_id and callback_query.id.
 */
export const telegramUpdatesProvider = chatIntakeQueueProvider(TELEGRAM_UPDATES, {
  queue: QueueName.TelegramUpdates,
  job: 'telegram-update-received.v1',
  pipeline: 'inbound',
  arrivalOf: (job: TelegramUpdateReceivedV1) => {
    const tap = job.update['callback_query'] as { id?: unknown } | undefined; // validated by ButtonTaps before it is enqueued
    const tapId = typeof tap?.id === 'string' ? tap.id : undefined;
    const dedupeId = tapId === undefined ? toJobId(job.channel, job.update.update_id) : toJobId(job.channel, 'cb', tapId);
    const chatId = incomingChatIdOf(job.update);
    return {
      dedupeId,
      dedupeTtlMs: UPDATE_DEDUPLICATION_TTL_MS,
      chat: chatId ? { channel: job.channel, chatId } : undefined,
      incomingId: job.update.update_id,
      receivedAtMs: job.receivedAtMs,
      jobId: `u.${dedupeId}`,
    };
  },
});
