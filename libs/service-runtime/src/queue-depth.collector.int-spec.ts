import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@tgg/config';
import { QueueName } from '@tgg/queues';
import { BridgeMetrics } from '@tgg/telemetry';
import { redisUrl, testQueuePrefix } from '@tgg/testing';
import { QueueDepthCollector } from './queue-depth.collector.js';

/** The gauges as Prometheus reads them: `{queue,state}` → value for one metric name. */
async function gauge(metrics: BridgeMetrics, name: string): Promise<Map<string, number>> {
  const found = (await metrics.registry.getMetricsAsJSON()).find((metric) => metric.name === name);
  const values = (found?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
  return new Map(values.map((entry) => [`${String(entry.labels['queue'])}/${String(entry.labels['state'])}`, entry.value]));
}

describe('QueueDepthCollector (real Redis)', () => {
  const prefix = testQueuePrefix();
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const metrics = new BridgeMetrics('test');
  const collector = new QueueDepthCollector(loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix }), redis, metrics);
  const queue = new Queue(QueueName.GenesysInbound, { connection: redis, prefix });

  beforeAll(() => collector.onModuleInit());
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await collector.onApplicationShutdown();
    await redis.quit();
  });

  it('reports the age of the oldest waiting and of the oldest delayed (retrying) job per queue', async () => {
    const now = Date.now();
    await queue.add('waiting-one', { n: 1 }, { timestamp: now - 30_000 });
    // A job added 10 min ago and now waiting out its backoff: the age that matters is since it was added.
    await queue.add('retrying-old', { n: 2 }, { timestamp: now - 600_000, delay: 3_600_000 });
    await queue.add('retrying-new', { n: 3 }, { timestamp: now - 5_000, delay: 60_000 });

    const ages = await gauge(metrics, 'tgg_queue_oldest_job_age_seconds');
    expect(ages.get(`${QueueName.GenesysInbound}/waiting`)).toBeGreaterThanOrEqual(30);
    expect(ages.get(`${QueueName.GenesysInbound}/waiting`)).toBeLessThan(90);
    expect(ages.get(`${QueueName.GenesysInbound}/delayed`)).toBeGreaterThanOrEqual(600);
    expect(ages.get(`${QueueName.GenesysInbound}/delayed`)).toBeLessThan(660);
    expect(ages.get(`${QueueName.TelegramUpdates}/delayed`)).toBe(0);
    const depth = await gauge(metrics, 'tgg_queue_depth');
    expect(depth.get(`${QueueName.GenesysInbound}/delayed`)).toBe(2);
    expect(depth.get(`${QueueName.GenesysInbound}/waiting`)).toBe(1);
  });

  it("reports Redis memory in use and its maxmemory, as Redis's INFO gives them", async () => {
    const info = await redis.info('memory');
    const used = (await metrics.registry.getSingleMetric('tgg_redis_memory_used_bytes')?.get())?.values[0]?.value;
    const max = (await metrics.registry.getSingleMetric('tgg_redis_maxmemory_bytes')?.get())?.values[0]?.value;
    expect(used).toBeGreaterThan(0);
    expect(max).toBe(Number(/^maxmemory:(\d+)/m.exec(info)?.[1]));
  });
});
