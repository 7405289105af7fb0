import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { GenesysReplyReceivedV1 } from '@tgg/contracts';
import { PRODUCER_REDIS } from '@tgg/service-runtime';
import { ChatTurnStore, QueueName, TypedProducer, defaultJobOptions, toJobId } from '@tgg/queues';
import { outboundIncomingStaleMs } from '../telegram-send/outbound-turns.providers.js';
import { telegramChatIdOf } from '../telegram-send/reply-order-key.js';

/**
 * Genesys retries a webhook for ~85 s (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html, "Webhook retry policy") and may re-post later; a day of memory per
 * message id is cheap, and the message log's unique Genesys id guards beyond it.
 */
export const REPLY_DEDUPLICATION_TTL_MS = 25 * 60 * 60 * 1000;

/** Puts authentic agent replies on genesys-replies, de-duplicated by (channel, Genesys message id). */
@Injectable()
export class GenesysRepliesProducer implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly producer: TypedProducer<'genesys-reply-received.v1'>;
  private readonly turns: ChatTurnStore;

  constructor(
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new Queue(QueueName.GenesysReplies, { connection: redis, prefix: config.redis.queuePrefix });
    this.producer = new TypedProducer(this.queue, 'genesys-reply-received.v1', defaultJobOptions(config.delivery.deadLetterKeep));
    this.turns = new ChatTurnStore(redis, config.redis.queuePrefix, { namespace: 'out', incomingStaleMs: outboundIncomingStaleMs(config) });
  }

  /**
   * Resolves once Redis holds the job (or already held it: 'duplicate'). BullMQ checks and sets the
   * deduplication key atomically inside its add script; the EXISTS before it only feeds the
   * duplicate counter. No job id is given on purpose: BullMQ then numbers the job from the queue's
   * counter, and that number is the reply's arrival sequence (see replyOrderKey). A reply to a chat
   * is also marked as on its way into the chat's line, in the same round trip as that check: an
   * intake worker killed while holding it returns the job only when its lock expires, and the
   * chat's later replies must not overtake it meanwhile (ChatTurnStore INCOMING, as on ingress).
   */
  async enqueue(job: GenesysReplyReceivedV1): Promise<'accepted' | 'duplicate'> {
    const dedupeId = toJobId(job.channel, job.reply.id);
    const dedupeKey = `${this.queue.keys['de']}:${dedupeId}`;
    const chatId = telegramChatIdOf(job.reply.channel.to.id);
    const seen = chatId
      ? (await this.turns.markIncoming(ChatTurnStore.chatRef(job.channel, chatId), job.reply.id, job.receivedAtMs, dedupeKey)) === 'duplicate'
      : (await this.redis.exists(dedupeKey)) === 1;
    if (seen) return 'duplicate';
    await this.producer.addNumbered(job, { deduplication: { id: dedupeId, ttl: REPLY_DEDUPLICATION_TTL_MS } });
    return 'accepted';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
