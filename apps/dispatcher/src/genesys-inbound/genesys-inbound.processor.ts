import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { GenesysMessageReadyV1 } from '@tgg/contracts';
import { type BridgeWorker, ChatTurnStore, QueueName, createBridgeWorker, createProcessor, type FinalFailure, type TurnMachinery } from '@tgg/queues';
import { LOGGER, METRICS, TURN_MACHINERY, WORKER_REDIS, bridgeWorkerOptions, drainBridgeWorker } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { InboundDelivery } from './inbound-delivery.js';


/**
 * Consumes genesys-inbound. Jobs of different chats run in parallel (concurrency below); one chat
 * never has two jobs at once, because the sequencer's ChatTurnStore hands out a chat's next
 * message only after this processor finished the previous one (delivered, skipped or dead-lettered).
 * So a retry of message N cannot be overtaken by N+1.
 */
@Injectable()
export class GenesysInboundProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: BridgeWorker | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(TURN_MACHINERY) private readonly turns: TurnMachinery,
    @Inject(InboundDelivery) private readonly delivery: InboundDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const processor = createProcessor(
      {
        'genesys-message-ready.v1': async (data, job) => {
          if (!(await this.holdsTurn(data, job.id))) return;
          await this.delivery.deliver(data);
          await this.finishTurn(data);
        },
      },
      (failure) => this.onFinalFailure(failure),
      { horizonMs: this.config.delivery.horizonMs },
    );
    this.worker = createBridgeWorker(QueueName.GenesysInbound, processor, bridgeWorkerOptions(QueueName.GenesysInbound, this.config, this.redis, this.metrics, 64));
    this.worker.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'genesys-inbound worker error'));
    this.worker.on('failed', (job, error) => {
      if (job && error.name !== 'UnrecoverableError') {
        this.logger.warn({ jobId: job.id, attempt: job.attemptsMade, err: { message: error.message } }, 'Genesys delivery failed; will retry');
      }
    });
    void this.worker.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await drainBridgeWorker(this.worker, this.logger);
  }

  /** Permanent or past the delivery horizon: the job goes to the dead-letter (failed) set and the chat moves on. */
  private async onFinalFailure({ job, code, reason }: FinalFailure): Promise<void> {
    this.metrics.updates.inc({ outcome: 'dead_lettered', reason: code });
    this.metrics.deadLetters.inc({ queue: QueueName.GenesysInbound, code });
    this.logger.error({ jobId: job.id, code, reason }, 'message dead-lettered; replay with `npm run cli -- dlq replay`');
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

