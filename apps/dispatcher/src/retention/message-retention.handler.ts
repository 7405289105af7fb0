import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { MessageRepository, purgeExpiredBodies, retentionCutoffMs } from '@tgg/data';
import { QueueName } from '@tgg/queues';
import { LOGGER, METRICS, WORKER_REDIS, QueueJobHandler, type JobHandler } from '@tgg/service-runtime';
import type { BridgeMetrics } from '@tgg/telemetry';
import { scheduleMessageRetention } from './retention-schedule.js';

/** A run stops starting batches after this; the next hourly run continues where it stopped. */
const RUN_BUDGET_MS = 10 * 60 * 1000;

/**
 * Message retention (SPEC §6, MESSAGE_RETENTION_DAYS): the dispatcher owns the message log, so it
 * registers the hourly job scheduler and works the `maintenance` queue. Bodies of messages older
 * than the retention are cleared in bounded batches; the rows and their unique keys stay, so a
 * late replay is still recognised. `npm run cli -- messages purge` does the same by hand.
 * One run at a time per replica; runs on two replicas (a slow run overlapping the next) skip each
 * other's rows. The queue's delayed job is the scheduler's next hourly run, not a retry to hurry,
 * so its worker does not wake retries after an outage.
 */
@QueueJobHandler({ queue: QueueName.Maintenance, job: 'message-retention-due.v1', concurrency: 1, wakeRetriesOnRecovery: false })
export class MessageRetentionHandler implements JobHandler<'message-retention-due.v1'>, OnApplicationBootstrap, BeforeApplicationShutdown {
  private queue: Queue | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(MessageRepository) private readonly messages: MessageRepository,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const prefix = this.config.redis.queuePrefix;
    this.queue = new Queue(QueueName.Maintenance, { connection: this.redis, prefix });
    // Not awaited: while Redis is away the command waits in ioredis' offline queue, and start-up
    // (and /health/live) must not wait with it.
    scheduleMessageRetention(this.queue).catch((error: unknown) =>
      this.logger.error({ err: { message: (error as Error).message } }, 'could not register the message retention schedule; it is registered again at the next start'),
    );
  }

  // Its own attempt budget (5, in the scheduler's job options) ends a failing run; the horizon only bounds it further.
  // A run that used it up is dead-lettered (logged by the host); the next hourly run tries again.
  async handle(): Promise<void> {
    await this.purgeExpiredBodies();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }

  private async purgeExpiredBodies(): Promise<void> {
    const startedAtMs = Date.now();
    const retentionDays = this.config.retention.messageRetentionDays;
    const cutoffMs = retentionCutoffMs(startedAtMs, retentionDays);
    const outcome = await purgeExpiredBodies(this.messages, {
      cutoffMs,
      deadlineMs: startedAtMs + RUN_BUDGET_MS,
      onBatch: (purged) => this.metrics.messageBodiesPurged.inc(purged),
    });
    this.logger.info(
      { purged: outcome.purged, batches: outcome.batches, complete: outcome.complete, cutoff: new Date(cutoffMs).toISOString(), retentionDays, durationMs: Date.now() - startedAtMs },
      outcome.complete ? 'message retention: expired bodies purged' : 'message retention: run budget used up, the next run continues',
    );
  }
}
