import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { GenesysMessageReadyV1 } from '@tgg/contracts';
import { type BridgeWorker, QueueName, createBridgeWorker, createProcessor, type FinalFailure } from '@tgg/queues';
import { INBOUND_TURNS, LOGGER, METRICS, WORKER_REDIS, bridgeWorkerOptions, drainBridgeWorker, type InboundTurns } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { InboundDelivery } from './inbound-delivery.js';


/**
 * Consumes genesys-inbound. Jobs of different chats run in parallel (concurrency below); one chat
 * never has two jobs at once, because the chat's turns (@tgg/chat-turns) hand out a chat's next
 * message only after this processor finished the previous one (delivered, skipped or dead-lettered).
 * So a retry of message N cannot be overtaken by N+1.
 */
@Injectable()
export class GenesysInboundProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: BridgeWorker | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(INBOUND_TURNS) private readonly turns: InboundTurns,
    @Inject(InboundDelivery) private readonly delivery: InboundDelivery,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const processor = createProcessor(
      {
        'genesys-message-ready.v1': async (data, job) => {
          // A replayed dead letter waits for its chat's turn, so a chat's replayed messages keep their order.
          if ((await this.turns.takeTurn(data, job.id)) !== 'turn') return;
          await this.delivery.deliver(data);
          await this.turns.finishTurn(data);
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
      await this.turns.finishTurn(parsed.data);
    }
  }
}
