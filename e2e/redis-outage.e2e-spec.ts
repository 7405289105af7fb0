import { createHmac } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mediaLinkIdOf, signMediaLink } from '@tgg/telegram';
import { BridgeHarness, TcpProxy, aTextUpdate, eventually, redisUrl } from '@tgg/testing';

describe('ingress when Redis is unavailable', () => {
  let proxy: TcpProxy;
  let bridge: BridgeHarness;
  let redis: Redis;
  let updates: Queue;

  beforeAll(async () => {
    proxy = await TcpProxy.start(Number(new URL(redisUrl()).port || 6379), new URL(redisUrl()).hostname);
    bridge = await BridgeHarness.start({ services: ['ingress'], env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    updates = new Queue('telegram-updates', { connection: redis, prefix: bridge.queuePrefix });
  }, 60_000);

  afterAll(async () => {
    await updates.close();
    await redis.quit();
    await bridge.stop();
    await proxy.close();
  });

  it('answers 503 with Retry-After while it cannot persist, and 200 again once Redis is back', async () => {
    expect((await bridge.postUpdate(aTextUpdate({ updateId: 1, chatId: 42, messageId: 1 }))).status).toBe(200);

    proxy.cut();
    const refused = await bridge.postUpdate(aTextUpdate({ updateId: 2, chatId: 42, messageId: 2 }));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toBe('unavailable');
    const ready = await fetch(`${bridge.url('ingress')}/health/ready`);
    expect(ready.status).toBe(503);

    proxy.restore();
    // Telegram redelivers update 2 (it got no 200); ioredis reconnects by itself.
    await eventually(async () => expect((await bridge.postUpdate(aTextUpdate({ updateId: 2, chatId: 42, messageId: 2 }))).status).toBe(200), 20_000, 250);
    const jobs = await updates.getJobs(['waiting', 'active', 'completed']);
    // Job data is what ingress enqueued: telegram-update-received.v1.
    expect(jobs.map((job) => (job.data as { update: { update_id: number } }).update.update_id).sort()).toEqual([1, 2]);
  }, 60_000);

  it('answers a signed media link 503 with Retry-After, not 404, while it cannot look the link up', async () => {
    const signingKey = createHmac('sha256', Buffer.from(bridge.env['ENCRYPTION_KEY'] ?? '', 'hex')).update('tgg/media-links/v1').digest();
    const mediaLinkId = mediaLinkIdOf({ channel: 'default', fileId: 'never-linked' }, signingKey);
    const link = `${bridge.url('ingress')}${signMediaLink(mediaLinkId, Math.floor(Date.now() / 1000) + 600, signingKey)}`;
    proxy.cut();
    const refused = await fetch(link);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toBe('unavailable');

    proxy.restore();
    await eventually(async () => expect((await fetch(link)).status).toBe(404), 20_000, 250); // Redis answers again: no such link
  }, 60_000);
});
