export { ChatTurns, IncomingMarks, TURN_PIPELINES, createChatTurns, createIncomingMarks, incomingStaleMs, type ChatOf, type ChatTurnsSettings, type PipelineJobName, type SweepSettings, type TurnItem, type TurnLog, type TurnPipeline } from './chat-turns.js';
export { ChatTurnStore, INFLIGHT_RECHECK_MS, REPLAY_HOLD_MS, type AcceptOutcome, type ChatTurn, type ChatTurnStoreOptions, type HeldChat, type RequeueOutcome } from './chat-turn-store.js';
export { TurnScheduler, turnJobId, type TurnClaim, type TurnJobName, type TurnProducer, type TurnRef } from './turn-scheduler.js';
export { TurnSweepLoop, type TurnSweepLoopOptions } from './turn-sweep-loop.js';
export { chatRefOf, type ChatRef } from './ids.js';
export { compareOrderKeys, orderKeyOf, orderKeyString, tapOrderKeyAfter, type OrderKeyParts, type OrderVariant } from './order-keys.js';
export { ReorderBuffer, RELEASED_KEYS_REMEMBERED } from './reorder-buffer.js';
export { defineRedisScript, type RedisScript } from './redis-script.js';
