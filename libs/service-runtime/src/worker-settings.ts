import type { Redis } from 'ioredis';
import type { AppConfig } from '@tgg/config';
import type { Logger } from 'pino';
import type { BridgeWorker, BridgeWorkerOptions, QueueName } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';

/** Every worker's settings from the config (locks, backoff cap, dead-letter bound); the caller picks concurrency. */
export function bridgeWorkerOptions(
  queueName: QueueName,
  config: AppConfig,
  connection: Redis,
  metrics: BridgeMetrics,
  concurrency: number,
): BridgeWorkerOptions {
  return {
    connection,
    prefix: config.redis.queuePrefix,
    concurrency,
    lockDurationMs: config.workers.lockDurationMs,
    drainBudgetMs: config.workers.drainBudgetMs,
    retryMaxDelayMs: config.delivery.retryMaxDelayMs,
    deadLetterKeep: config.delivery.deadLetterKeep,
    onDeadLettersDropped: (count) => metrics.deadLettersDropped.inc({ queue: queueName }, count),
  };
}

/**
 * beforeApplicationShutdown of every processor: running jobs get SHUTDOWN_DRAIN_MS, the rest go
 * back to their queue for another replica (BridgeWorker.drain); the operator sees which.
 */
export async function drainBridgeWorker(worker: BridgeWorker | undefined, logger: Logger): Promise<void> {
  if (!worker) return;
  const { handedBack } = await worker.drain();
  if (handedBack.length > 0) logger.warn({ queue: worker.name, handedBack: handedBack.length, jobIds: handedBack.slice(0, 20) }, 'drain budget reached: unfinished jobs handed back to the queue');
  else logger.info({ queue: worker.name }, 'worker drained');
}
