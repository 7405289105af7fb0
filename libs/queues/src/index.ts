export { QueueName, ALL_QUEUES, QUEUE_JOB_NAMES, type QueueJobName } from './queue-names.js';
export { defaultJobOptions, bridgeBackoffMs, failureVerdict, horizonStartMs, UPDATE_DEDUPLICATION_TTL_MS, UNBOUNDED_ATTEMPTS, REPLAYED_AT_FIELD, type FailureVerdict } from './job-options.js';
export { createRedisConnection } from './redis-connection.js';
export { TypedProducer, toJobId } from './typed-producer.js';
export { createProcessor, type JobHandlers, type FinalFailure, type RetryPolicy } from './run-handler.js';
export { BridgeWorker, createBridgeWorker, lockTimings, type BridgeWorkerOptions, type DrainOutcome } from './bridge-worker.js';
