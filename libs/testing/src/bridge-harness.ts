import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { FakeGenesys, FakeTelegram } from '@tgg/emulators';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db.js';
import { redisUrl } from './test-env.js';
import { isAddressInUse, reservePort } from './test-ports.js';

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
  /** Ports to try first instead of reserved ones (a taken one is replaced, as any port is on EADDRINUSE). */
  ports?: Partial<Record<BridgeServiceName, number>>;
}

/** The env variable that sets each service's port. */
const PORT_VARIABLE: Record<BridgeServiceName, string> = { ingress: 'INGRESS_PORT', outbound: 'OUTBOUND_PORT', sequencer: 'SEQUENCER_PORT', dispatcher: 'DISPATCHER_PORT' };
/** How often a service is started on a fresh port when the one it was given turned out taken. */
const PORT_ATTEMPTS = 3;

/** One readiness request: generous, a service starting on a loaded machine can take seconds to answer; a stranger holding the port may never. */
const READY_PROBE_TIMEOUT_MS = 10_000;

/** A service exited while starting because its port was taken (between the probe and its listen). */
class PortTakenError extends Error {}

/** A second process of a service (a replica), on its own port, sharing everything else. */
export interface BridgeReplica {
  readonly port: number;
  readonly pid: number | undefined;
  readonly url: string;
  /** SIGTERM; resolves once it exited. */
  stop(): Promise<void>;
  /** SIGTERM (a rollout stopping it); resolves with its exit status. */
  terminate(): Promise<number | null>;
  logs(): string;
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

/**
 * The environment of a service wired to the emulators as channel `default` with HARNESS_CREDENTIALS,
 * on its own database and key prefix (a fresh ENCRYPTION_KEY each time). For specs that start a
 * service in-process as well as for the harness's processes.
 */
export function harnessEnv(options: { db: TestDatabase; telegram: FakeTelegram; genesys: FakeGenesys; queuePrefix: string }): Record<string, string> {
  return {
    DATABASE_URL: options.db.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: options.queuePrefix,
    TELEGRAM_API_BASE_URL: options.telegram.baseUrl,
    GENESYS_LOGIN_BASE_URL: options.genesys.baseUrl,
    GENESYS_API_BASE_URL: options.genesys.baseUrl,
    TELEGRAM_BOT_TOKEN: HARNESS_CREDENTIALS.botToken,
    TELEGRAM_WEBHOOK_SECRET: HARNESS_CREDENTIALS.webhookSecret,
    GENESYS_CLIENT_ID: HARNESS_CREDENTIALS.clientId,
    GENESYS_CLIENT_SECRET: HARNESS_CREDENTIALS.clientSecret,
    GENESYS_INTEGRATION_ID: HARNESS_CREDENTIALS.integrationId,
    GENESYS_WEBHOOK_SECRET: HARNESS_CREDENTIALS.genesysWebhookSecret,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  };
}

interface RunningChild {
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** The public URL it was started with: a child started before ingress moved port must start again. */
  publicBaseUrl: string | undefined;
}

/**
 * The real services, started as child processes from dist/ (so a test can `kill -9` one), against
 * a fresh database, its own queue prefix and the HTTP emulators of Telegram and Genesys.
 */
export class BridgeHarness {
  readonly ports: Record<BridgeServiceName, number>;
  private readonly children = new Map<BridgeServiceName, RunningChild>();
  private readonly replicas = new Set<RunningChild>();
  private logChunkLimit = 200;
  /** While start() brings the services up together: a moved ingress is dealt with once all are up. */
  private startingAll = false;

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
    const portOf = async (service: BridgeServiceName) => options.ports?.[service] ?? (await reservePort());
    const ports = { ingress: await portOf('ingress'), outbound: await portOf('outbound'), sequencer: await portOf('sequencer'), dispatcher: await portOf('dispatcher') };
    genesys.addIntegration(HARNESS_CREDENTIALS.integrationId, {
      webhookUrl: `http://127.0.0.1:${ports.outbound}/genesys/webhook/default`,
      webhookSecret: HARNESS_CREDENTIALS.genesysWebhookSecret,
    });
    const env: Record<string, string> = {
      ...harnessEnv({ db, telegram, genesys, queuePrefix }),
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
    harness.startingAll = true;
    try {
      await Promise.all((options.services ?? ['ingress', 'sequencer', 'dispatcher']).map((service) => harness.startService(service)));
      await harness.restartStale();
    } catch (error) {
      // The spec never gets the harness to stop: end what did start, or its processes outlive the run and Jest hangs.
      await harness.stop().catch(() => undefined);
      throw error;
    } finally {
      harness.startingAll = false;
    }
    return harness;
  }

  url(service: BridgeServiceName): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  /**
   * Starts the service on its port (the same one again after a kill, so URLs pointing at it stay
   * true). Should the port have been taken meanwhile, the service moves to a fresh one and the
   * URLs that name it follow: the Genesys integration's webhook for outbound, PUBLIC_BASE_URL
   * (and the services started with the old one) for ingress.
   */
  async startService(service: BridgeServiceName): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const child = this.spawnService(service, this.ports[service]);
        this.children.set(service, child);
        await this.waitReady(service, this.ports[service], child);
        break;
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
        this.children.delete(service);
        await this.movePort(service, await reservePort());
      }
    }
    if (service === 'ingress' && !this.startingAll) await this.restartStale();
  }

  /** One more process of `service` on a port of its own, consuming the same queues (e.g. a second outbound replica). */
  async startReplica(service: BridgeServiceName): Promise<BridgeReplica> {
    for (let attempt = 1; ; attempt++) {
      const port = await reservePort();
      const child = this.spawnService(service, port);
      this.replicas.add(child);
      try {
        await this.waitReady(service, port, child);
        const terminate = async (): Promise<number | null> => {
          child.process.kill('SIGTERM');
          const code = await child.exited;
          this.replicas.delete(child);
          return code;
        };
        return {
          port,
          pid: child.process.pid,
          url: `http://127.0.0.1:${port}`,
          stop: async () => {
            await terminate();
          },
          terminate,
          logs: () => child.output.join(''),
        };
      } catch (error) {
        child.process.kill('SIGKILL');
        await child.exited;
        this.replicas.delete(child);
        if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  /** SIGKILL: no shutdown hooks, no lock release — the crash the product must survive. */
  async kill(service: BridgeServiceName): Promise<void> {
    const child = this.children.get(service);
    if (!child) return;
    child.process.kill('SIGKILL');
    await child.exited;
    this.children.delete(service);
  }

  /** SIGTERM, as a rollout stops a pod: resolves with the exit status and its logs once it has drained and exited. */
  async terminate(service: BridgeServiceName): Promise<{ exitCode: number | null; logs: string }> {
    const child = this.children.get(service);
    if (!child) throw new Error(`${service} is not running`);
    child.process.kill('SIGTERM');
    const exitCode = await child.exited;
    this.children.delete(service);
    return { exitCode, logs: child.output.join('') };
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
    await Promise.all([...this.children.values(), ...this.replicas].map(async (child) => {
      child.process.kill('SIGTERM');
      const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
      await child.exited;
      clearTimeout(timer);
    }));
    this.children.clear();
    this.replicas.clear();
    await Promise.all([this.telegram.close(), this.genesys.close()]);
    await this.db.drop();
  }

  private spawnService(service: BridgeServiceName, port: number): RunningChild {
    const env = { ...this.env, [PORT_VARIABLE[service]]: String(port) };
    const child = spawn(process.execPath, [path.resolve(`dist/apps/${service}/src/main.js`)], {
      // Named as in docker-compose.yml and deploy/k8s, so a test can tell the services' spans apart.
      env: { PATH: process.env['PATH'] ?? '', OTEL_SERVICE_NAME: `tgg-${service}`, ...env },
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
    return { process: child, output, exited, publicBaseUrl: env['PUBLIC_BASE_URL'] };
  }

  private async movePort(service: BridgeServiceName, port: number): Promise<void> {
    this.ports[service] = port;
    this.env[PORT_VARIABLE[service]] = String(port);
    if (service === 'outbound') {
      this.genesys.addIntegration(HARNESS_CREDENTIALS.integrationId, { webhookUrl: `${this.url('outbound')}/genesys/webhook/default` });
    }
    if (service === 'ingress') this.env['PUBLIC_BASE_URL'] = this.url('ingress');
  }

  /** Services started before ingress moved to another port still hand out the old PUBLIC_BASE_URL: start them again. */
  private async restartStale(): Promise<void> {
    for (const [service, child] of [...this.children]) {
      if (child.publicBaseUrl !== this.env['PUBLIC_BASE_URL']) await this.restart(service);
    }
  }

  private async waitReady(service: BridgeServiceName, port: number, child: RunningChild): Promise<void> {
    const deadline = Date.now() + 30_000;
    let exitCode: number | null | undefined;
    void child.exited.then((code) => {
      exitCode = code;
    });
    const logs = () => child.output.join('');
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        if (isAddressInUse(logs())) throw new PortTakenError(`${service}: port taken`);
        throw new Error(`${service} exited with ${exitCode} while starting:\n${logs()}`);
      }
      try {
        // Bounded: whatever took the port may accept connections and never answer.
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
        // Ready only if it is our child that answers, not another process that had the port first.
        if (response.status === 200 && (await listensOn(child.process.pid, port))) return;
        await response.body?.cancel();
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${service} not ready within 30 s:\n${logs()}`);
  }
}

/**
 * Whether process `pid` holds a listening TCP socket on `port` (Linux: its socket inodes against
 * /proc/net/tcp{,6}). Where /proc cannot tell, it is assumed (the EADDRINUSE exit still shows).
 */
async function listensOn(pid: number | undefined, port: number): Promise<boolean> {
  if (pid === undefined) return false;
  let inodes: Set<string>;
  try {
    const links = await Promise.all((await readdir(`/proc/${pid}/fd`)).map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    inodes = new Set(links.map((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1]).filter((inode): inode is string => inode !== undefined));
  } catch {
    return true;
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = await readFile(table, 'utf8').catch(() => '');
    for (const row of rows.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = row.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${portHex}`) && fields[3] === '0A' && inodes.has(fields[9] ?? '')) return true;
    }
  }
  return false;
}
