export { QueueName, ALL_QUEUES } from './queue-names.js';
export { defaultJobOptions, bridgeBackoffMs, UPDATE_DEDUPLICATION_TTL_MS } from './job-options.js';
export { createRedisConnection } from './redis-connection.js';
export { TypedProducer, toJobId } from './typed-producer.js';
export { createProcessor, type JobHandlers, type FinalFailure } from './run-handler.js';
export { ChatTurnStore, INFLIGHT_RECHECK_MS, type ChatTurn, type AcceptOutcome } from './chat-turns/chat-turn-store.js';
export { TurnScheduler, turnJobId } from './chat-turns/turn-scheduler.js';
export { createBridgeWorker, type BridgeWorkerOptions } from './bridge-worker.js';
export { createTurnMachinery, type TurnMachinery } from './chat-turns/turn-machinery.js';
