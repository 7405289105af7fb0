export { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db.js';
export { baseDatabaseUrl, redisUrl } from './test-env.js';
export { BridgeHarness, HARNESS_CREDENTIALS, type BridgeHarnessOptions, type BridgeReplica, type BridgeServiceName } from './bridge-harness.js';
export { ephemeralPortRange, isAddressInUse, reservePort } from './test-ports.js';
export { aTextUpdate, aCallbackQueryUpdate, shuffled, type TextUpdateInput } from './fixtures/telegram-updates.js';
export { eventually } from './eventually.js';
export { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
export { SpanTree } from './span-tree.js';
export { TcpProxy } from './tcp-proxy.js';
