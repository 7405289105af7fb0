import { Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { bridgeBackoffMs } from './job-options.js';
import type { QueueName } from './queue-names.js';

export interface BridgeWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** How long a job's lock lives without renewal: a killed worker's jobs come back after this. */
  lockDurationMs: number;
}

/** A BullMQ worker with the bridge's one backoff rule; started by the caller (onApplicationBootstrap). */
export function createBridgeWorker(queueName: QueueName, processor: Processor, options: BridgeWorkerOptions): Worker {
  return new Worker(queueName, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: false,
    settings: { backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) => bridgeBackoffMs(attemptsMade, error) },
    // A crashed worker's active jobs return to the queue after this long without a lock renewal.
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
    maxStalledCount: 5,
  });
}
