import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { OpenInboundReceipt, OpenOutboundMessage, ReceiptReasonCode, TraceCarrier } from '@tgg/contracts';
import { WORKER_REDIS } from '@tgg/service-runtime';
import { QueueName, TypedProducer, defaultJobOptions, toJobId } from '@tgg/queues';

/**
 * Queues the final receipt of an agent reply (genesys-receipts). A job of its own: when Genesys is
 * down, only the receipt is retried, never the Telegram send that already happened. The job id is
 * derived from the reply and status, so a re-run of the sender does not queue a second one while
 * the first is kept.
 */
@Injectable()
export class DeliveryReceipts implements OnApplicationShutdown {
  private readonly queue: Queue;
  private readonly producer: TypedProducer<'genesys-receipt-ready.v1'>;

  constructor(@Inject(WORKER_REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.queue = new Queue(QueueName.GenesysReceipts, { connection: redis, prefix: config.redis.queuePrefix });
    this.producer = new TypedProducer(this.queue, 'genesys-receipt-ready.v1', defaultJobOptions(config.delivery.deadLetterKeep));
  }

  /** `degraded`: the message reached the customer, but not all of it as designed (structured content Telegram cannot show). */
  async delivered(channel: string, reply: OpenOutboundMessage, trace: TraceCarrier, degraded?: { code: ReceiptReasonCode; message: string }): Promise<void> {
    await this.add(channel, reply, 'Delivered', degraded, trace);
  }

  async failed(channel: string, reply: OpenOutboundMessage, reason: { code: ReceiptReasonCode; message: string }, trace: TraceCarrier): Promise<void> {
    await this.add(channel, reply, 'Failed', reason, trace);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  private async add(channel: string, reply: OpenOutboundMessage, status: OpenInboundReceipt['status'], reason: { code: ReceiptReasonCode; message: string } | undefined, trace: TraceCarrier): Promise<void> {
    const receipt: OpenInboundReceipt = {
      id: reply.id,
      channel: { to: { id: reply.channel.to.id, idType: 'Opaque' }, time: new Date().toISOString() },
      status,
      ...(reason ? { reasons: [{ code: reason.code, message: reason.message.slice(0, 500) }] } : {}),
      isFinalReceipt: true,
    };
    // Per status: a reply an operator replays after its Failed receipt still gets its Delivered one.
    await this.producer.add({ channel, receipt, trace }, { jobId: toJobId('receipt', channel, reply.id, status) });
  }
}
