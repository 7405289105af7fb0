import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ALL_QUEUES } from '@tgg/queues';
import type { BridgeMetrics } from '@tgg/telemetry';
import { METRICS, PRODUCER_REDIS } from './tokens.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/**
 * The delayed set is ordered by when a job is due, not by when it was added, so its oldest job is
 * looked for among the ones due soonest; a bound keeps a scrape cheap with thousands delayed.
 */
export const DELAYED_JOBS_SAMPLED = 100;

/**
 * Queue depth and the age of the oldest waiting and oldest delayed (retrying) job, read from Redis when Prometheus scrapes (no timers, so a
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
        const [counts, [oldestWaiting], delayed] = await Promise.all([
          queue.getJobCounts(...STATES),
          queue.getWaiting(0, 0),
          queue.getDelayed(0, DELAYED_JOBS_SAMPLED - 1),
        ]);
        const now = Date.now();
        const ageS = (timestamp: number | undefined) => (timestamp === undefined ? 0 : Math.max(0, (now - timestamp) / 1000));
        const oldestDelayed = delayed.reduce<number | undefined>((oldest, job) => (job && (oldest === undefined || job.timestamp < oldest) ? job.timestamp : oldest), undefined);
        return {
          depth: STATES.map((state) => ({ queue: queue.name, state, count: counts[state] ?? 0 })),
          oldest: [
            { queue: queue.name, state: 'waiting' as const, ageS: ageS(oldestWaiting?.timestamp) },
            { queue: queue.name, state: 'delayed' as const, ageS: ageS(oldestDelayed) },
          ],
        };
      }),
    );
    return { depth: perQueue.flatMap((entry) => entry.depth), oldestAgeS: perQueue.flatMap((entry) => entry.oldest), redisMemory: parseMemoryInfo(await this.redis.info('memory')) };
  }
}

/** `used_memory` and `maxmemory` from the text of INFO memory; undefined if either is missing. */
export function parseMemoryInfo(info: string): { usedBytes: number; maxBytes: number } | undefined {
  const field = (name: string) => new RegExp(`^${name}:(\\d+)\\s*$`, 'm').exec(info)?.[1];
  const used = field('used_memory');
  const max = field('maxmemory');
  return used === undefined || max === undefined ? undefined : { usedBytes: Number(used), maxBytes: Number(max) };
}
