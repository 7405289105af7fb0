import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { JobName } from '@tgg/contracts';
import { createBridgeWorker, createProcessor, type BridgeWorker, type FinalFailure, type JobHandlers, type QueueName } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';
import { LOGGER, METRICS, WORKER_REDIS } from '../tokens.js';
import { HandlerMetadata, type JobHandler } from './queue-job-handler.js';
import { planWorkers, type DiscoveredHandler, type WorkerPlan } from './worker-plan.js';

/** The queues this service works, given by its app module (ServiceRuntimeModule.forRoot). */
export const CONSUMED_QUEUES = Symbol('CONSUMED_QUEUES');

/**
 * Runs every queue this service consumes: at bootstrap it finds the @QueueJobHandler providers,
 * refuses to start unless each job name of each consumed queue has exactly one (planWorkers), and
 * starts one BridgeWorker per queue with the config's locks, backoff cap and dead-letter bound. It
 * logs worker errors and retries, counts and logs dead letters, and on shutdown drains all workers
 * at once, so they share one SHUTDOWN_DRAIN_MS (see shutDownService).
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly workers: BridgeWorker[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(CONSUMED_QUEUES) private readonly consumes: readonly QueueName[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const plans = planWorkers(this.consumes, this.discoverHandlers());
    for (const plan of plans) this.workers.push(this.startWorker(plan));
  }

  /** Shutdown hook for an app closed without shutDownService (tests); after SIGTERM's drain it finds the workers drained. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /**
   * Running jobs get SHUTDOWN_DRAIN_MS, the rest go back to their queue for another replica
   * (BridgeWorker.drain); all workers stop fetching at once. Idempotent.
   */
  drain(): Promise<void> {
    this.draining ??= Promise.all(this.workers.map((worker) => this.drainWorker(worker))).then(() => undefined);
    return this.draining;
  }

  private discoverHandlers(): DiscoveredHandler[] {
    return this.discovery.getProviders({ metadataKey: HandlerMetadata.KEY }).flatMap((wrapper) => {
      const registration = this.discovery.getMetadataByDecorator(HandlerMetadata, wrapper);
      // The decorator's signature makes the class a JobHandler of the job it names.
      const handler = wrapper.instance as JobHandler<JobName> | undefined;
      return registration && handler ? [{ name: wrapper.name, registration, handler }] : [];
    });
  }

  private startWorker(plan: WorkerPlan): BridgeWorker {
    const { queue } = plan;
    const handlers: JobHandlers = Object.fromEntries([...plan.handlers].map(([job, { handler }]) => [job, (data: never, bullJob: Job) => handler.handle(data, bullJob)]));
    const processor = createProcessor(handlers, (failure) => this.deadLettered(plan, failure), { horizonMs: this.config.delivery.horizonMs });
    const worker = createBridgeWorker(queue, processor, {
      connection: this.redis,
      prefix: this.config.redis.queuePrefix,
      concurrency: plan.concurrency,
      lockDurationMs: this.config.workers.lockDurationMs,
      drainBudgetMs: this.config.workers.drainBudgetMs,
      retryMaxDelayMs: this.config.delivery.retryMaxDelayMs,
      deadLetterKeep: this.config.delivery.deadLetterKeep,
      onDeadLettersDropped: (count) => this.metrics.deadLettersDropped.inc({ queue }, count),
      wakeRetriesOnRecovery: plan.wakeRetriesOnRecovery,
    });
    worker.on('error', (error) => this.logger.warn({ queue, err: { message: error.message } }, 'worker error'));
    worker.on('failed', (job, error) => {
      // Dead letters by verdict (UnrecoverableError) were counted and logged in deadLettered already.
      if (!job || error.name === 'UnrecoverableError') return;
      const fields = { queue, jobId: job.id, jobName: job.name, attempt: job.attemptsMade, err: { message: error.message } };
      if (job.attemptsMade < (job.opts.attempts ?? 1)) {
        plan.handlers.get(job.name as JobName)?.handler.onRetry?.(job, error); // a name it has no handler for never gets this far
        this.logger.warn(fields, 'job failed; will retry');
        return;
      }
      // A job with its own attempt budget (the retention schedule's) used it up: BullMQ moved it to the failed set.
      this.metrics.deadLetters.inc({ queue, code: 'attempts_exhausted' });
      this.logger.error(fields, 'job dead-lettered: attempts used up');
    });
    void worker.run();
    return worker;
  }

  /** Counted and logged here for every queue; then the handler releases what the job held. */
  private async deadLettered(plan: WorkerPlan, failure: FinalFailure): Promise<void> {
    const { job, code, reason } = failure;
    this.metrics.deadLetters.inc({ queue: plan.queue, code });
    this.logger.error({ queue: plan.queue, jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1, code, reason }, 'job dead-lettered; replay with `npm run cli -- dlq replay`');
    await plan.handlers.get(job.name as JobName)?.handler.onDeadLetter?.(failure); // unknown names have no handler to tell
  }

  private async drainWorker(worker: BridgeWorker): Promise<void> {
    const { handedBack } = await worker.drain();
    if (handedBack.length > 0) this.logger.warn({ queue: worker.name, handedBack: handedBack.length, jobIds: handedBack.slice(0, 20) }, 'drain budget reached: unfinished jobs handed back to the queue');
    else this.logger.info({ queue: worker.name }, 'worker drained');
  }
}
