import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { GenesysMessageReadyV1 } from '@tgg/contracts';
import { ChatTurnStore, QueueName, type FinalFailure, type TurnMachinery } from '@tgg/queues';
import { LOGGER, METRICS, TURN_MACHINERY, QueueJobHandler, type JobHandler } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { InboundDelivery } from './inbound-delivery.js';


/**
 * Consumes genesys-inbound. Jobs of different chats run in parallel (the concurrency above); one chat
 * never has two jobs at once, because the sequencer's ChatTurnStore hands out a chat's next
 * message only after this handler finished the previous one (delivered, skipped or dead-lettered).
 * So a retry of message N cannot be overtaken by N+1.
 */
@QueueJobHandler({ queue: QueueName.GenesysInbound, job: 'genesys-message-ready.v1', concurrency: 64 })
export class GenesysInboundHandler implements JobHandler<'genesys-message-ready.v1'> {
  constructor(
    @Inject(TURN_MACHINERY) private readonly turns: TurnMachinery,
    @Inject(InboundDelivery) private readonly delivery: InboundDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(data: GenesysMessageReadyV1, job: Job): Promise<void> {
    if (!(await this.holdsTurn(data, job.id))) return;
    await this.delivery.deliver(data);
    await this.finishTurn(data);
  }

  /** Permanent or past the delivery horizon: the job goes to the dead-letter (failed) set (the host counted and logged it) and the chat moves on. */
  async onDeadLetter({ job, code, reason }: FinalFailure): Promise<void> {
    this.metrics.updates.inc({ outcome: 'dead_lettered', reason: code });
    const parsed = GenesysMessageReadyV1.safeParse(job.data);
    if (parsed.success) {
      await this.delivery.markDeadLettered(parsed.data, `${code}: ${reason}`).catch((error: unknown) =>
        this.logger.warn({ jobId: job.id, err: { message: (error as Error).message } }, 'could not mark the message log row dead-lettered'),
      );
      await this.finishTurn(parsed.data);
    }
  }

  /** A replayed dead letter waits for its chat's turn, so a chat's replayed messages keep their order. */
  private async holdsTurn(data: GenesysMessageReadyV1, jobId: string | undefined): Promise<boolean> {
    if (!data.orderKey) return true; // my_chat_member takes no turn
    const claim = await this.turns.scheduler.claimTurn(data, jobId, Date.now());
    if (claim !== 'turn') this.logger.info({ jobId, chatId: data.chatId, claim }, claim === 'requeued' ? 'replayed message queued for its chat\'s turn' : 'replayed message already queued for its chat\'s turn');
    return claim === 'turn';
  }

  private async finishTurn(data: GenesysMessageReadyV1): Promise<void> {
    if (!data.orderKey) return; // my_chat_member takes no turn
    const chatRef = ChatTurnStore.chatRef(data.channel, data.chatId);
    const nowMs = Date.now();
    await this.turns.store.finish(chatRef, data.orderKey, nowMs);
    await this.turns.scheduler.advance(chatRef, nowMs, { recheck: false });
  }
}

