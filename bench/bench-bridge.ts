import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '@tgg/queues';
import { BridgeHarness, HARNESS_CREDENTIALS, redisUrl, type BridgeReplica, type TestDatabase } from '@tgg/testing';

export const WINDOW_MS = 300;

/** When the messages with the given Genesys ids arrived there (first and last), or which are missing. */
export interface Arrival {
  missing: number;
  firstAtMs: number;
  lastAtMs: number;
}

/**
 * The real services from dist/ around the emulators, all running throughout so every process is
 * warm when measured. "Pipeline paused" is BullMQ's global pause of `telegram-updates`: ingress
 * still takes and stores updates, the sequencer(s) and dispatcher(s) sit idle until it is resumed.
 */
export class BenchBridge {
  private replicas: { service: 'dispatcher' | 'sequencer'; replica: BridgeReplica }[] = [];

  private constructor(
    readonly harness: BridgeHarness,
    readonly withOutbound: boolean,
    private readonly updatesQueue: Queue,
    private readonly redis: Redis,
  ) {}

  static async start(database: TestDatabase, sequencers: number): Promise<BenchBridge> {
    const withOutbound = existsSync(path.resolve('dist/apps/outbound/src/main.js'));
    const harness = await BridgeHarness.start({
      services: withOutbound ? ['ingress', 'sequencer', 'dispatcher', 'outbound'] : ['ingress', 'sequencer', 'dispatcher'],
      database,
      windowMs: WINDOW_MS,
      env: { LOG_LEVEL: 'error', ...(process.env['BENCH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_NODE_OPTIONS'] } : {}) },
    });
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const bridge = new BenchBridge(harness, withOutbound, new Queue(QueueName.TelegramUpdates, { connection: redis, prefix: harness.queuePrefix }), redis);
    for (let i = 1; i < sequencers; i++) bridge.replicas.push({ service: 'sequencer', replica: await harness.startReplica('sequencer') });
    return bridge;
  }

  get webhookUrl(): string {
    return `${this.harness.url('ingress')}/telegram/webhook/default`;
  }

  readonly webhookHeaders = { 'x-telegram-bot-api-secret-token': HARNESS_CREDENTIALS.webhookSecret };

  get dispatchers(): number {
    return 1 + this.replicas.filter((entry) => entry.service === 'dispatcher').length;
  }

  /** Starts or stops (SIGTERM, nothing lost) dispatcher replicas until `count` dispatchers run. */
  async setDispatchers(count: number): Promise<void> {
    while (this.dispatchers < count) this.replicas.push({ service: 'dispatcher', replica: await this.harness.startReplica('dispatcher') });
    while (this.dispatchers > count) {
      const index = this.replicas.findLastIndex((entry) => entry.service === 'dispatcher');
      const [entry] = this.replicas.splice(index, 1);
      await entry?.replica.stop();
    }
  }

  /**
   * Updates the sequencer(s) accepted after their chat's window had already released later ones
   * (`tgg_updates_total{outcome="late"}`): delivered, but out of order by design. Under overload,
   * when ingress acknowledges slower than the window, these are the order violations.
   */
  async lateArrivals(): Promise<number> {
    const urls = [this.harness.url('sequencer'), ...this.replicas.filter((entry) => entry.service === 'sequencer').map((entry) => entry.replica.url)];
    let late = 0;
    for (const url of urls) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const line of text.split('\n')) if (line.startsWith('tgg_updates_total{') && line.includes('outcome="late"')) late += Number(line.split(' ').at(-1));
    }
    return late;
  }

  async pausePipeline(): Promise<void> {
    await this.updatesQueue.pause();
  }

  async resumePipeline(): Promise<void> {
    await this.updatesQueue.resume();
  }

  /** Every running service process (replicas too) with its pid, for RSS and CPU readings. */
  processes(): { name: string; pid: number | undefined }[] {
    const main = (['ingress', 'sequencer', 'dispatcher', 'outbound'] as const)
      .map((service) => ({ name: service, pid: this.harness.pidOf(service) }))
      .filter((entry) => entry.pid !== undefined);
    return [...main, ...this.replicas.map(({ service, replica }, index) => ({ name: `${service} replica ${index + 1}`, pid: replica.pid }))];
  }

  /** Waits until every id reached Genesys or `timeoutMs` passed; reports the arrival span either way. */
  async waitForGenesys(messageIds: string[], label: string, timeoutMs = 300_000): Promise<Arrival> {
    const wanted = new Set(messageIds);
    const deadline = Date.now() + timeoutMs;
    let lastReport = Date.now();
    for (;;) {
      let firstAtMs = Infinity;
      let lastAtMs = -Infinity;
      const arrived = new Set<string>();
      for (const record of this.harness.genesys.inbound) {
        const id = record.body.channel.messageId;
        if (!wanted.has(id) || arrived.has(id)) continue;
        arrived.add(id);
        firstAtMs = Math.min(firstAtMs, record.atMs);
        lastAtMs = Math.max(lastAtMs, record.atMs);
      }
      const missing = wanted.size - arrived.size;
      if (missing === 0 || Date.now() >= deadline) {
        if (missing > 0) console.log(`  ✗ ${label}: ${missing} of ${wanted.size} never reached Genesys within ${timeoutMs / 1000} s`);
        return { missing, firstAtMs, lastAtMs };
      }
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        console.log(`  … ${label}: ${arrived.size}/${wanted.size} at Genesys`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.updatesQueue.close();
    this.redis.disconnect();
    await this.harness.stop();
  }
}
