import type { Redis } from 'ioredis';
import type { AppConfig } from '@tgg/config';
import type { BridgeWorkerOptions, QueueName } from '@tgg/queues';
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
    retryMaxDelayMs: config.delivery.retryMaxDelayMs,
    deadLetterKeep: config.delivery.deadLetterKeep,
    onDeadLettersDropped: (count) => metrics.deadLettersDropped.inc({ queue: queueName }, count),
  };
}
