import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { GenesysMessageReadyV1 } from '@tgg/contracts';
import { QueueName, type FinalFailure } from '@tgg/queues';
import { INBOUND_TURNS, LOGGER, METRICS, QueueJobHandler, type InboundTurns, type JobHandler } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { InboundDelivery } from './inbound-delivery.js';


/**
 * Consumes genesys-inbound. Jobs of different chats run in parallel (the concurrency above); one chat
 * never has two jobs at once, because the chat's turns (@tgg/chat-turns) hand out a chat's next
 * message only after this handler finished the previous one (delivered, skipped or dead-lettered).
 * So a retry of message N cannot be overtaken by N+1.
 */
@QueueJobHandler({ queue: QueueName.GenesysInbound, job: 'genesys-message-ready.v1', concurrency: 64 })
export class GenesysInboundHandler implements JobHandler<'genesys-message-ready.v1'> {
  constructor(
    @Inject(INBOUND_TURNS) private readonly turns: InboundTurns,
    @Inject(InboundDelivery) private readonly delivery: InboundDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(data: GenesysMessageReadyV1, job: Job): Promise<void> {
    // A replayed dead letter waits for its chat's turn, so a chat's replayed messages keep their order.
    if ((await this.turns.takeTurn(data, job.id)) !== 'turn') return;
    await this.delivery.deliver(data);
    await this.turns.finishTurn(data);
  }

  /** Permanent or past the delivery horizon: the job goes to the dead-letter (failed) set (the host counted and logged it) and the chat moves on. */
  async onDeadLetter({ job, code, reason }: FinalFailure): Promise<void> {
    this.metrics.updates.inc({ outcome: 'dead_lettered', reason: code });
    const parsed = GenesysMessageReadyV1.safeParse(job.data);
    if (parsed.success) {
      await this.delivery.markDeadLettered(parsed.data, `${code}: ${reason}`).catch((error: unknown) =>
        this.logger.warn({ jobId: job.id, err: { message: (error as Error).message } }, 'could not mark the message log row dead-lettered'),
      );
      await this.turns.finishTurn(parsed.data);
    }
  }
}
