import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@tgg/config';
import { ChannelRepository, SecretBox, createPrismaClient } from '@tgg/data';
import { FakeTelegram } from '@tgg/emulators';
import { startService, type RunningService } from '@tgg/service-runtime';
import { HARNESS_CREDENTIALS, TcpProxy, aTextUpdate, createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';
import { ingressService } from '../ingress.service-definition.js';

/** Telegram's published webhook ranges, as an operator would set TELEGRAM_ALLOWED_CIDRS. */
const TELEGRAM_CIDRS = '149.154.160.0/20,91.108.4.0/22';
const TELEGRAM_ADDRESS = '149.154.167.50';
const STRANGER_ADDRESS = '203.0.113.9';

describe('POST /telegram/webhook/:channel (in-process ingress, real Redis and Postgres)', () => {
  let db: TestDatabase;
  let telegram: FakeTelegram;
  let redis: Redis;
  const prefix = testQueuePrefix();
  const encryptionKey = randomBytes(32);
  const services: RunningService[] = [];
  let updateId = 880_000;

  async function startIngress(env: Record<string, string>): Promise<RunningService> {
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      TELEGRAM_API_BASE_URL: telegram.baseUrl,
      TELEGRAM_BOT_TOKEN: HARNESS_CREDENTIALS.botToken,
      TELEGRAM_WEBHOOK_SECRET: HARNESS_CREDENTIALS.webhookSecret,
      GENESYS_CLIENT_ID: HARNESS_CREDENTIALS.clientId,
      GENESYS_CLIENT_SECRET: HARNESS_CREDENTIALS.clientSecret,
      GENESYS_INTEGRATION_ID: HARNESS_CREDENTIALS.integrationId,
      GENESYS_WEBHOOK_SECRET: HARNESS_CREDENTIALS.genesysWebhookSecret,
      ENCRYPTION_KEY: encryptionKey.toString('hex'),
      LOG_LEVEL: 'silent',
      ...env,
    });
    const service = await startService(ingressService, config, { port: 0, host: '127.0.0.1' });
    services.push(service);
    return service;
  }

  function post(service: RunningService, channel: string, headers: Record<string, string> = {}): Promise<Response> {
    const body = JSON.stringify(aTextUpdate({ updateId: ++updateId, chatId: 4242, messageId: updateId, text: 'hi' }));
    return fetch(`${service.url}/telegram/webhook/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': HARNESS_CREDENTIALS.webhookSecret, ...headers },
      body,
    });
  }

  beforeAll(async () => {
    [db, telegram] = await Promise.all([createTestDatabase(), FakeTelegram.start()]);
    telegram.addBot(HARNESS_CREDENTIALS.botToken);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    for (const service of services) await service.app.close();
    const updates = new Queue('telegram-updates', { connection: redis, prefix });
    await updates.obliterate({ force: true });
    await updates.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await telegram.close();
    await db.drop();
  });

  describe('TELEGRAM_ALLOWED_CIDRS behind a proxy (the test client plays the proxy at 127.0.0.1)', () => {
    it.each([
      ['a hop count', '1'],
      ['the proxy address', '127.0.0.1/32'],
    ])('with TRUST_PROXY as %s, takes the address the proxy appended and refuses a forged X-Forwarded-For', async (_kind, trustProxy) => {
      const ingress = await startIngress({ TELEGRAM_ALLOWED_CIDRS: TELEGRAM_CIDRS, TRUST_PROXY: trustProxy });
      // Telegram → proxy: the proxy appends Telegram's address.
      expect((await post(ingress, 'default', { 'x-forwarded-for': TELEGRAM_ADDRESS })).status).toBe(200);
      // A stranger who wrote Telegram's address into the header himself: the proxy appends the real one.
      const forged = await post(ingress, 'default', { 'x-forwarded-for': `${TELEGRAM_ADDRESS}, ${STRANGER_ADDRESS}` });
      expect(forged.status).toBe(403);
      expect(await forged.json()).toEqual({ error: 'forbidden_source', message: expect.stringContaining('TELEGRAM_ALLOWED_CIDRS') });
      // Through a chain of two proxies only the last hop is believed: the first proxy's entry counts as the client.
      expect((await post(ingress, 'default', { 'x-forwarded-for': `${TELEGRAM_ADDRESS}, 10.1.2.3` })).status).toBe(403);
      // Extra entries left of the real client do not matter.
      expect((await post(ingress, 'default', { 'x-forwarded-for': `${STRANGER_ADDRESS}, ${TELEGRAM_ADDRESS}` })).status).toBe(200);
    });

    it('without TRUST_PROXY, ignores X-Forwarded-For entirely and judges the peer address', async () => {
      const ingress = await startIngress({ TELEGRAM_ALLOWED_CIDRS: TELEGRAM_CIDRS });
      expect((await post(ingress, 'default', { 'x-forwarded-for': TELEGRAM_ADDRESS })).status).toBe(403);
      const local = await startIngress({ TELEGRAM_ALLOWED_CIDRS: '127.0.0.0/8' });
      expect((await post(local, 'default', { 'x-forwarded-for': STRANGER_ADDRESS })).status).toBe(200);
    });
  });

  describe('channels while Postgres misbehaves', () => {
    let proxy: TcpProxy;
    let ingress: RunningService;

    beforeAll(async () => {
      const target = new URL(db.url);
      proxy = await TcpProxy.start(Number(target.port || 5432), target.hostname);
      const viaProxy = new URL(db.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      // A channel written under a key this service was not given (say, left out of ENCRYPTION_KEY_PREVIOUS).
      const prisma = createPrismaClient(db.url);
      await new ChannelRepository(prisma, new SecretBox(randomBytes(32))).upsert({ name: 'orphaned', botToken: '1:orphan', webhookSecret: HARNESS_CREDENTIALS.webhookSecret });
      await prisma.$disconnect();
      ingress = await startIngress({ DATABASE_URL: viaProxy.toString() });
    });

    afterAll(async () => {
      proxy.restore();
      await proxy.close();
    });

    it('starts and serves every other channel when one channel cannot be decrypted, answering 503 for that one', async () => {
      expect((await post(ingress, 'default')).status).toBe(200);
      const orphaned = await post(ingress, 'orphaned');
      expect(orphaned.status).toBe(503);
      expect(orphaned.headers.get('retry-after')).toBe('5');
      expect(await orphaned.json()).toEqual({ error: 'unavailable', message: expect.any(String) });
    });

    it('answers a channel-cache miss with 503 + Retry-After while Postgres is down, and keeps serving cached channels', async () => {
      proxy.cut();
      try {
        // Within a second of the last successful load a miss is still "no such channel" (404, the
        // flood guard); the first miss checked against the database after that must be 503, never 404.
        const miss = await eventually(async () => {
          const response = await post(ingress, 'not-cached');
          expect(response.status).toBe(503);
          return response;
        });
        expect(miss.headers.get('retry-after')).toBe('5');
        expect(await miss.json()).toEqual({ error: 'unavailable', message: 'temporarily unavailable, retry later' });
        expect((await post(ingress, 'default')).status).toBe(200);
      } finally {
        proxy.restore();
      }
    });
  });
});
