import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ALL_QUEUES } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';
import { METRICS, PRODUCER_REDIS } from './tokens.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/**
 * Queue depth and oldest-waiting-job age, read from Redis when Prometheus scrapes (no timers, so a
 * scrape never sees a stale value). Failed = dead letters. A Redis outage leaves the gauges as they were.
 */
@Injectable()
export class QueueDepthCollector implements OnModuleInit, OnApplicationShutdown {
  private queues: Queue[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
  ) {}

  onModuleInit(): void {
    this.queues = ALL_QUEUES.map((name) => new Queue(name, { connection: this.redis, prefix: this.config.redis.queuePrefix }));
    this.metrics.queueSnapshot = () => this.snapshot();
  }

  async onApplicationShutdown(): Promise<void> {
    this.metrics.queueSnapshot = undefined;
    await Promise.all(this.queues.map((queue) => queue.close()));
  }

  private async snapshot() {
    const perQueue = await Promise.all(
      this.queues.map(async (queue) => {
        const [counts, [oldestWaiting]] = await Promise.all([queue.getJobCounts(...STATES), queue.getWaiting(0, 0)]);
        return {
          depth: STATES.map((state) => ({ queue: queue.name, state, count: counts[state] ?? 0 })),
          oldest: { queue: queue.name, ageS: oldestWaiting ? Math.max(0, (Date.now() - oldestWaiting.timestamp) / 1000) : 0 },
        };
      }),
    );
    return { depth: perQueue.flatMap((entry) => entry.depth), oldestAgeS: perQueue.map((entry) => entry.oldest) };
  }
}
