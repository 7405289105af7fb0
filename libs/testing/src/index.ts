export { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db.js';
export { baseDatabaseUrl, redisUrl } from './test-env.js';
