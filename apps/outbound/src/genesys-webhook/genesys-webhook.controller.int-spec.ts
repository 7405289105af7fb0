import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@tgg/config';
import { FakeGenesys, FakeTelegram, hubSignature } from '@tgg/emulators';
import { startService, type RunningService } from '@tgg/service-runtime';
import { HARNESS_CREDENTIALS, TcpProxy, harnessEnv, createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';
import { outboundService } from '../outbound.service-definition.js';

/** The value of a counter sample with these labels, whatever order the registry prints them in. */
function counterValue(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([label, value]) => labelText.includes(`${label}="${value}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('POST /genesys/webhook/:channel (in-process service, real Redis and Postgres)', () => {
  /** In front of Redis, cut to play "Redis is down" for this service only. */
  let proxy: TcpProxy;
  let db: TestDatabase;
  let telegram: FakeTelegram;
  let genesys: FakeGenesys;
  let service: RunningService;
  let redis: Redis;
  let replies: Queue;
  let prefix: string;

  const post = (body: string, signature: string | null = hubSignature(Buffer.from(body), HARNESS_CREDENTIALS.genesysWebhookSecret)) =>
    fetch(`${service.url}/genesys/webhook/default`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
      body,
    });
  const agentReply = (id: string, type = 'Text') => JSON.stringify({ id, channel: { to: { id: '7000000001', idType: 'Opaque' }, time: new Date().toISOString() }, type, text: 'hi' });

  beforeAll(async () => {
    const target = new URL(redisUrl());
    db = await createTestDatabase();
    [proxy, telegram, genesys] = await Promise.all([TcpProxy.start(Number(target.port || 6379), target.hostname), FakeTelegram.start(), FakeGenesys.start()]);
    telegram.addBot(HARNESS_CREDENTIALS.botToken);
    genesys.addClient(HARNESS_CREDENTIALS.clientId, HARNESS_CREDENTIALS.clientSecret);
    genesys.addIntegration(HARNESS_CREDENTIALS.integrationId);
    prefix = testQueuePrefix();
    const config = loadConfig({
      ...harnessEnv({ db, telegram, genesys, queuePrefix: prefix }),
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      LOG_LEVEL: 'silent',
    });
    service = await startService(outboundService, config, { port: 0, host: '127.0.0.1' });
    // The fail-fast producer connection refuses commands until it is connected, as /health/ready reports.
    await eventually(async () => expect((await fetch(`${service.url}/health/ready`)).status).toBe(200), 10_000, 100);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    replies = new Queue('genesys-replies', { connection: redis, prefix });
  }, 30_000);

  afterAll(async () => {
    proxy?.restore();
    await service?.app.close();
    await replies?.obliterate({ force: true }).catch(() => undefined);
    await replies?.close();
    const keys = (await redis?.keys(`${prefix}:*`)) ?? [];
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await Promise.all([proxy?.close(), telegram?.close(), genesys?.close()]);
    await db?.drop();
  });

  it('answers 503 with Retry-After while Redis is unreachable, and 200 again once it is back', async () => {
    expect((await post(agentReply('before-outage'))).status).toBe(200);

    proxy.cut();
    const during = await post(agentReply('during-outage'));
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(await during.json()).toEqual({ error: 'unavailable', message: 'cannot persist the message right now' });

    proxy.restore();
    // Genesys retries the same message; it goes through once the connection is back.
    await eventually(async () => expect((await post(agentReply('during-outage'))).status).toBe(200), 15_000, 200);
    const names = (await replies.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).map((job) => (job.data as { reply: { id: string } }).reply.id).sort();
    expect(names).toEqual(['before-outage', 'during-outage']);
  }, 30_000);

  it('enqueues a reply once however often Genesys re-posts it, numbering jobs in arrival order', async () => {
    for (let i = 0; i < 3; i++) expect((await post(agentReply('re-posted'))).status).toBe(200);
    expect((await post(agentReply('next-one'))).status).toBe(200);
    const jobs = (await replies.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).filter((job) => ['re-posted', 'next-one'].includes((job.data as { reply: { id: string } }).reply.id));
    expect(jobs).toHaveLength(2);
    const [first, second] = jobs.sort((a, b) => Number(a.id) - Number(b.id));
    expect((first?.data as { reply: { id: string } }).reply.id).toBe('re-posted');
    expect((second?.data as { reply: { id: string } }).reply.id).toBe('next-one');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(counterValue(metrics, 'tgg_replies_total', { outcome: 'duplicate', reason: '' })).toBe(2);
  });

  it('acknowledges receipts and unknown types without queueing them', async () => {
    expect((await post(agentReply('a-receipt', 'Receipt'))).status).toBe(200);
    expect((await post(agentReply('a-novelty', 'Novelty'))).status).toBe(200);
    const ids = (await replies.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).map((job) => (job.data as { reply: { id: string } }).reply.id);
    expect(ids).not.toContain('a-receipt');
    expect(ids).not.toContain('a-novelty');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(counterValue(metrics, 'tgg_replies_total', { outcome: 'ignored', reason: 'receipt' })).toBe(1);
    expect(counterValue(metrics, 'tgg_replies_total', { outcome: 'ignored', reason: 'unknown_type' })).toBe(1);
  });
});
