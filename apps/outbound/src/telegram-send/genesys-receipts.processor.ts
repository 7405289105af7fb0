import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { PermanentError, RetryableError, type GenesysReceiptReadyV1 } from '@tgg/contracts';
import { ChannelDirectory } from '@tgg/data';
import { OpenMessagingClient } from '@tgg/genesys';
import { LOGGER, METRICS, WORKER_REDIS, bridgeWorkerOptions, drainBridgeWorker } from '@tgg/service-runtime';
import { type BridgeWorker, QueueName, createBridgeWorker, createProcessor } from '@tgg/queues';
import { inSpanFromCarrier, type BridgeMetrics } from '@tgg/telemetry';

/** Posts queued Delivered/Failed receipts to Genesys, retrying on its own (429/5xx/token trouble). */
@Injectable()
export class GenesysReceiptsProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: BridgeWorker | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(OpenMessagingClient) private readonly genesys: OpenMessagingClient | undefined,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const processor = createProcessor({ 'genesys-receipt-ready.v1': (data) => this.postReceipt(data) }, async ({ job, code, reason }) => {
      this.metrics.deadLetters.inc({ queue: QueueName.GenesysReceipts, code });
      this.logger.error({ jobId: job.id, code, reason }, 'receipt to Genesys dead-lettered: the agent will not see this reply\'s final status');
    }, { horizonMs: this.config.delivery.horizonMs });
    this.worker = createBridgeWorker(QueueName.GenesysReceipts, processor, bridgeWorkerOptions(QueueName.GenesysReceipts, this.config, this.redis, this.metrics, 20));
    this.worker.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'genesys-receipts worker error'));
    void this.worker.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await drainBridgeWorker(this.worker, this.logger);
  }

  async postReceipt(job: GenesysReceiptReadyV1): Promise<void> {
    if (!this.genesys) throw new RetryableError('no Genesys OAuth client configured', 'genesys_not_configured', 60_000);
    const channel = await this.channels.get(job.channel);
    if (!channel) throw new PermanentError(`channel ${job.channel} does not exist`, 'unknown_channel');
    if (!channel.genesysIntegrationId) throw new PermanentError(`channel ${channel.name} has no Genesys integration id`, 'channel_without_integration');
    const integrationId = channel.genesysIntegrationId;
    const genesys = this.genesys;
    await inSpanFromCarrier('outbound.receipt', job.trace, { 'tgg.channel': job.channel, 'tgg.genesys_message_id': job.receipt.id, 'tgg.receipt_status': job.receipt.status }, () =>
      genesys.sendReceipt(integrationId, job.receipt),
    );
  }
}
