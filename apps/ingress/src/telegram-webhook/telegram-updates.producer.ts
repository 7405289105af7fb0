import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { incomingChatIdOf, type TelegramUpdateReceivedV1 } from '@tgg/contracts';
import { PRODUCER_REDIS } from '@tgg/service-runtime';
import { createIncomingMarks, type IncomingMarks } from '@tgg/chat-turns';
import { QueueName, TypedProducer, UPDATE_DEDUPLICATION_TTL_MS, defaultJobOptions, toJobId } from '@tgg/queues';

/** Puts accepted webhook updates on the telegram-updates queue, de-duplicated by (channel, update_id). */
@Injectable()
export class TelegramUpdatesProducer implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly producer: TypedProducer<'telegram-update-received.v1'>;
  private readonly incoming: IncomingMarks;

  constructor(
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new Queue(QueueName.TelegramUpdates, { connection: redis, prefix: config.redis.queuePrefix });
    this.producer = new TypedProducer(this.queue, 'telegram-update-received.v1', defaultJobOptions(config.delivery.deadLetterKeep));
    this.incoming = createIncomingMarks(redis, config.redis.queuePrefix, 'inbound');
  }

  /**
   * Resolves once Redis holds the job (or already held it: 'duplicate'). The deduplication key
   * outlives the job for 25 h, covering Telegram's 24 h redelivery; BullMQ checks and sets it
   * atomically inside the add script. The check before it feeds the duplicate counter and, for a
   * message, marks it as on its way into its chat's reorder buffer, so a sequencer crash cannot
   * let later messages of that chat overtake it (@tgg/chat-turns IncomingMarks) — one round trip for both.
   * A tap (`tapId`: its callback_query.id) is de-duplicated by that id instead, which also covers
   * its update_id: Telegram redelivers a tap under the same update_id and callback_query.id.
   */
  async enqueue(job: TelegramUpdateReceivedV1, options: { tapId?: string } = {}): Promise<'accepted' | 'duplicate'> {
    const dedupeId = options.tapId === undefined ? toJobId(job.channel, job.update.update_id) : toJobId(job.channel, 'cb', options.tapId);
    const dedupeKey = `${this.queue.keys['de']}:${dedupeId}`;
    const chatId = incomingChatIdOf(job.update);
    const seen = chatId
      ? (await this.incoming.mark({ channel: job.channel, chatId }, job.update.update_id, job.receivedAtMs, dedupeKey)) === 'duplicate'
      : (await this.redis.exists(dedupeKey)) === 1;
    if (seen) return 'duplicate';
    await this.producer.add(job, { jobId: `u.${dedupeId}`, deduplication: { id: dedupeId, ttl: UPDATE_DEDUPLICATION_TTL_MS } });
    return 'accepted';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
