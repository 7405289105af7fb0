import { randomBytes } from 'node:crypto';
import { loadConfig } from '@tgg/config';
import { ShutdownState, shutDownService, startService, type RunningService } from '@tgg/service-runtime';
import { createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';
import { sequencerService } from './sequencer.service-definition.js';

describe('sequencer shutdown (SPEC §4: readiness fails first, then it drains and closes)', () => {
  let db: TestDatabase;
  let service: RunningService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await service?.app.close();
    await db.drop();
  });

  it('answers 503 "shutting down" on /health/ready once shutdown began, then closes its server', async () => {
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
    });
    service = await startService(sequencerService, config, { port: 0, host: '127.0.0.1' });
    const ready = () => fetch(`${service?.url}/health/ready`);
    // Ready once its Redis connection is up (a moment after listen).
    await eventually(async () => expect((await ready()).status).toBe(200));

    // The first thing shutDownService does; observed here before the server closes.
    service.app.get(ShutdownState).begin();
    const draining = await ready();
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ error: 'not_ready', message: 'shutting down' });

    await shutDownService(service, 'SIGTERM');
    await expect(ready()).rejects.toThrow();
    service = undefined;
  });
});
