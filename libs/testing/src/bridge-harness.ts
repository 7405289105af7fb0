import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FakeGenesys, FakeTelegram } from '@tgg/emulators';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db.js';
import { redisUrl } from './test-env.js';

export type BridgeServiceName = 'ingress' | 'sequencer' | 'dispatcher' | 'outbound';

export interface BridgeHarnessOptions {
  services?: BridgeServiceName[];
  windowMs?: number;
  /** WORKER_LOCK_MS; unset = the product default, which is what tests should run (say why when a test sets it). */
  workerLockMs?: number;
  env?: Record<string, string>;
  /** A database to use instead of a fresh test database (the benchmark brings its own). */
  database?: TestDatabase;
  /** Keep every byte a service writes (default: its last 200 chunks), for tests that search all of it. */
  keepAllLogs?: boolean;
}

/** Credentials of the `default` channel as the harness sets them. */
export const HARNESS_CREDENTIALS = {
  botToken: '7000000000:AAE-harness_bot_token',
  webhookSecret: 'harness_webhook-secret',
  clientId: 'harness-client',
  clientSecret: 'harness-client-secret',
  integrationId: '0b1c2d3e-0000-4000-8000-00000000a11a',
  genesysWebhookSecret: 'harness-genesys-webhook-secret',
};

interface RunningChild {
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * The real services, started as child processes from dist/ (so a test can `kill -9` one), against
 * a fresh database, its own queue prefix and the HTTP emulators of Telegram and Genesys.
 */
export class BridgeHarness {
  readonly ports: Record<BridgeServiceName, number>;
  private readonly children = new Map<BridgeServiceName, RunningChild>();
  private logChunkLimit = 200;

  private constructor(
    readonly telegram: FakeTelegram,
    readonly genesys: FakeGenesys,
    readonly db: TestDatabase,
    readonly queuePrefix: string,
    readonly env: Record<string, string>,
    ports: Record<BridgeServiceName, number>,
  ) {
    this.ports = ports;
  }

  static async start(options: BridgeHarnessOptions = {}): Promise<BridgeHarness> {
    const entry = path.resolve('dist/apps/ingress/src/main.js');
    if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    const [telegram, genesys, db] = await Promise.all([FakeTelegram.start(), FakeGenesys.start(), options.database ?? createTestDatabase()]);
    telegram.addBot(HARNESS_CREDENTIALS.botToken, { username: 'harness_bot' });
    genesys.addClient(HARNESS_CREDENTIALS.clientId, HARNESS_CREDENTIALS.clientSecret);
    const queuePrefix = testQueuePrefix();
    const ports = { ingress: await freePort(), outbound: await freePort(), sequencer: await freePort(), dispatcher: await freePort() };
    genesys.addIntegration(HARNESS_CREDENTIALS.integrationId, {
      webhookUrl: `http://127.0.0.1:${ports.outbound}/genesys/webhook/default`,
      webhookSecret: HARNESS_CREDENTIALS.genesysWebhookSecret,
    });
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: queuePrefix,
      TELEGRAM_API_BASE_URL: telegram.baseUrl,
      GENESYS_LOGIN_BASE_URL: genesys.baseUrl,
      GENESYS_API_BASE_URL: genesys.baseUrl,
      TELEGRAM_BOT_TOKEN: HARNESS_CREDENTIALS.botToken,
      TELEGRAM_WEBHOOK_SECRET: HARNESS_CREDENTIALS.webhookSecret,
      GENESYS_CLIENT_ID: HARNESS_CREDENTIALS.clientId,
      GENESYS_CLIENT_SECRET: HARNESS_CREDENTIALS.clientSecret,
      GENESYS_INTEGRATION_ID: HARNESS_CREDENTIALS.integrationId,
      GENESYS_WEBHOOK_SECRET: HARNESS_CREDENTIALS.genesysWebhookSecret,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ports.ingress}`,
      INGRESS_PORT: String(ports.ingress),
      OUTBOUND_PORT: String(ports.outbound),
      SEQUENCER_PORT: String(ports.sequencer),
      DISPATCHER_PORT: String(ports.dispatcher),
      SEQUENCER_WINDOW_MS: String(options.windowMs ?? 300),
      ...(options.workerLockMs === undefined ? {} : { WORKER_LOCK_MS: String(options.workerLockMs) }),
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const harness = new BridgeHarness(telegram, genesys, db, queuePrefix, env, ports);
    if (options.keepAllLogs) harness.logChunkLimit = Infinity;
    await Promise.all((options.services ?? ['ingress', 'sequencer', 'dispatcher']).map((service) => harness.startService(service)));
    return harness;
  }

  url(service: BridgeServiceName): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  async startService(service: BridgeServiceName): Promise<void> {
    const child = spawn(process.execPath, [path.resolve(`dist/apps/${service}/src/main.js`)], {
      // Named as in docker-compose.yml and deploy/k8s, so a test can tell the services' spans apart.
      env: { PATH: process.env['PATH'] ?? '', OTEL_SERVICE_NAME: `tgg-${service}`, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > this.logChunkLimit) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    this.children.set(service, { process: child, output, exited });
    await this.waitReady(service, exited);
  }

  /** SIGKILL: no shutdown hooks, no lock release — the crash the product must survive. */
  async kill(service: BridgeServiceName): Promise<void> {
    const child = this.children.get(service);
    if (!child) return;
    child.process.kill('SIGKILL');
    await child.exited;
    this.children.delete(service);
  }

  async restart(service: BridgeServiceName): Promise<void> {
    await this.kill(service);
    await this.startService(service);
  }

  pidOf(service: BridgeServiceName): number | undefined {
    return this.children.get(service)?.process.pid;
  }

  logsOf(service: BridgeServiceName): string {
    return this.children.get(service)?.output.join('') ?? '';
  }

  /** POSTs an update as Telegram would, with the channel's secret unless told otherwise. */
  async postUpdate(update: unknown, options: { secret?: string | null; channel?: string; body?: string | Buffer; contentType?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    const secret = options.secret === undefined ? HARNESS_CREDENTIALS.webhookSecret : options.secret;
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    return fetch(`${this.url('ingress')}/telegram/webhook/${options.channel ?? 'default'}`, {
      method: 'POST',
      headers,
      body: options.body ?? JSON.stringify(update),
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map(async (service) => {
      const child = this.children.get(service);
      child?.process.kill('SIGTERM');
      const timer = setTimeout(() => child?.process.kill('SIGKILL'), 5000);
      await child?.exited;
      clearTimeout(timer);
    }));
    this.children.clear();
    await Promise.all([this.telegram.close(), this.genesys.close()]);
    await this.db.drop();
  }

  private async waitReady(service: BridgeServiceName, exited: Promise<number | null>): Promise<void> {
    const deadline = Date.now() + 30_000;
    let exitCode: number | null | undefined;
    void exited.then((code) => {
      exitCode = code;
    });
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${service} exited with ${exitCode} while starting:\n${this.logsOf(service)}`);
      try {
        const response = await fetch(`${this.url(service)}/health/ready`);
        if (response.status === 200) return;
        await response.body?.cancel();
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${service} not ready within 30 s:\n${this.logsOf(service)}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
