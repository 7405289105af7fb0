import { Inject } from '@nestjs/common';
import { PermanentError, RetryableError, type GenesysReceiptReadyV1 } from '@tgg/contracts';
import { ChannelDirectory } from '@tgg/data';
import { OpenMessagingClient } from '@tgg/genesys';
import { QueueJobHandler, type JobHandler } from '@tgg/service-runtime';
import { QueueName } from '@tgg/queues';
import { inSpanFromCarrier } from '@tgg/telemetry';

/**
 * Posts queued Delivered/Failed receipts to Genesys, retrying on its own (429/5xx/token trouble).
 * A dead-lettered receipt (counted and logged by the host) means the agent will not see that
 * reply's final status until it is replayed.
 */
@QueueJobHandler({ queue: QueueName.GenesysReceipts, job: 'genesys-receipt-ready.v1', concurrency: 20 })
export class GenesysReceiptsHandler implements JobHandler<'genesys-receipt-ready.v1'> {
  constructor(
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(OpenMessagingClient) private readonly genesys: OpenMessagingClient | undefined,
  ) {}

  handle(data: GenesysReceiptReadyV1): Promise<void> {
    return this.postReceipt(data);
  }

  async postReceipt(job: GenesysReceiptReadyV1): Promise<void> {
    if (!this.genesys) throw new RetryableError('no Genesys OAuth client configured', 'genesys_not_configured', 60_000);
    const channel = await this.channels.get(job.channel);
    if (!channel) throw new PermanentError(`channel ${job.channel} does not exist`, 'unknown_channel');
    if (!channel.genesysIntegrationId) throw new PermanentError(`channel ${channel.name} has no Genesys integration id`, 'channel_without_integration');
    const integrationId = channel.genesysIntegrationId;
    const genesys = this.genesys;
    await inSpanFromCarrier('outbound.receipt', job.trace, { 'tgg.channel': job.channel, 'tgg.genesys_message_id': job.receipt.id, 'tgg.receipt_status': job.receipt.status }, async () => {
      try {
        await genesys.sendReceipt(integrationId, job.receipt);
      } catch (error) {
        // Genesys documents `reasons` for Failed receipts; a Delivered one carrying what was shown
        // differently (structured content) is our reading of the model, unverified. Should Genesys
        // refuse it, the agent must still see "delivered": send it again without the reasons.
        const { reasons, ...plain } = job.receipt;
        if (!(error instanceof PermanentError) || job.receipt.status !== 'Delivered' || !reasons?.length) throw error;
        await genesys.sendReceipt(integrationId, plain);
      }
    });
  }
}
