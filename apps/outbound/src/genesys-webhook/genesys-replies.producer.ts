import type { GenesysReplyReceivedV1 } from '@tgg/contracts';
import { chatIntakeQueueProvider, type ChatIntakeQueue, type ChatIntakeSpec } from '@tgg/service-runtime';
import { QueueName, toJobId } from '@tgg/queues';
import { telegramChatIdOf } from '../reply-intake/reply-order-key.js';

/**
 * Genesys retries a webhook for ~85 s (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html, "Webhook retry policy") and may re-post later; a day of memory per
 * message id is cheap, and the message log's unique Genesys id guards beyond it.
 */
export const REPLY_DEDUPLICATION_TTL_MS = 25 * 60 * 60 * 1000;

/** Authentic agent replies on genesys-replies, de-duplicated by (channel, Genesys message id). */
export const GENESYS_REPLIES = Symbol('GENESYS_REPLIES');
export type GenesysRepliesIntake = ChatIntakeQueue<'genesys-reply-received.v1'>;

/**
 * No job id is given on purpose: BullMQ then numbers the job from the queue's counter, and that
 * number is the reply's arrival sequence (see replyOrderKey). A reply to a chat is marked as on its
 * way into the chat's line, as on ingress.
 */
export const genesysRepliesIntake: ChatIntakeSpec<'genesys-reply-received.v1'> = {
  queue: QueueName.GenesysReplies,
  job: 'genesys-reply-received.v1',
  pipeline: 'outbound',
  arrivalOf: (job: GenesysReplyReceivedV1) => {
    const chatId = telegramChatIdOf(job.reply.channel.to.id);
    return {
      dedupeId: toJobId(job.channel, job.reply.id),
      dedupeTtlMs: REPLY_DEDUPLICATION_TTL_MS,
      chat: chatId ? { channel: job.channel, chatId } : undefined,
      incomingId: job.reply.id,
      receivedAtMs: job.receivedAtMs,
      jobId: 'numbered',
    };
  },
};

export const genesysRepliesProvider = chatIntakeQueueProvider(GENESYS_REPLIES, genesysRepliesIntake);
