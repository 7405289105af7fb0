import { existsSync } from 'node:fs';
import path from 'node:path';
import { BridgeHarness, HARNESS_CREDENTIALS, type BridgeReplica, type TestDatabase } from '@tgg/testing';

export const WINDOW_MS = 300;

export interface PipelineSize {
  dispatchers: number;
  sequencers: number;
}

/** When the messages with the given Genesys ids arrived there (first and last), or which are missing. */
export interface Arrival {
  missing: number;
  firstAtMs: number;
  lastAtMs: number;
}

/**
 * The real services from dist/ around the emulators. Ingress (and outbound) run throughout; the
 * inbound pipeline — sequencer(s) and dispatcher(s) — is started and stopped by the phases, so
 * ingress can be measured alone and a backlog drained by a chosen number of dispatchers.
 */
export class BenchBridge {
  private replicas: { service: 'dispatcher' | 'sequencer'; replica: BridgeReplica }[] = [];

  private constructor(
    readonly harness: BridgeHarness,
    readonly withOutbound: boolean,
  ) {}

  static async start(database: TestDatabase): Promise<BenchBridge> {
    const withOutbound = existsSync(path.resolve('dist/apps/outbound/src/main.js'));
    const harness = await BridgeHarness.start({
      services: withOutbound ? ['ingress', 'outbound'] : ['ingress'],
      database,
      windowMs: WINDOW_MS,
      env: { LOG_LEVEL: 'error', ...(process.env['BENCH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_NODE_OPTIONS'] } : {}) },
    });
    return new BenchBridge(harness, withOutbound);
  }

  get webhookUrl(): string {
    return `${this.harness.url('ingress')}/telegram/webhook/default`;
  }

  readonly webhookHeaders = { 'x-telegram-bot-api-secret-token': HARNESS_CREDENTIALS.webhookSecret };

  /** Dispatchers first, so the sequencer's first releases find every dispatcher already consuming. */
  async startPipeline(size: PipelineSize): Promise<void> {
    await this.harness.startService('dispatcher');
    for (let i = 1; i < size.dispatchers; i++) this.replicas.push({ service: 'dispatcher', replica: await this.harness.startReplica('dispatcher') });
    await this.harness.startService('sequencer');
    for (let i = 1; i < size.sequencers; i++) this.replicas.push({ service: 'sequencer', replica: await this.harness.startReplica('sequencer') });
  }

  /** SIGTERM, as a rollout does: running work finishes or goes back to its queue, nothing is lost. */
  async stopPipeline(): Promise<void> {
    await Promise.all(this.replicas.map(({ replica }) => replica.stop()));
    this.replicas = [];
    await this.harness.terminate('sequencer');
    await this.harness.terminate('dispatcher');
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
    await this.harness.stop();
  }
}
