import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '@tgg/config';
import { ChannelRepository, createPrismaClient, SecretBox, type PrismaClient } from '@tgg/data';
import { GenesysTokenCache, OpenMessagingClient } from '@tgg/genesys';
import type { QueueName } from '@tgg/queues';
import { TelegramBotApiClient } from '@tgg/telegram';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { loadCliConfig, type CliConfig } from './cli-config.js';
import { maskUrl } from './mask-url.js';
import { Printer } from './printer.js';

export interface CliContextOptions {
  env: Readonly<Record<string, string | undefined>>;
  io: CliIo;
  /** Where `doctor` reads the migrations the code expects (prisma/migrations of this checkout or image). */
  migrationsDir: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface GenesysApi {
  tokens: GenesysTokenCache;
  openMessaging: OpenMessagingClient;
}

/**
 * What one CLI invocation uses, each made on first use (so `--help` or `dlq list` never opens a
 * Postgres pool) and closed once at the end. Unreachable dependencies become one CliError line.
 */
export class CliContext {
  readonly printer: Printer;
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly migrationsDir: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  private loadedConfig: CliConfig | undefined;
  private prismaClient: PrismaClient | undefined;
  private prismaReady: Promise<PrismaClient> | undefined;
  private redisReady: Promise<Redis> | undefined;
  private redisClient: Redis | undefined;
  private readonly queues = new Map<QueueName, Queue>();
  private genesysApi: GenesysApi | undefined;

  constructor(options: CliContextOptions) {
    this.env = options.env;
    this.io = options.io;
    this.printer = new Printer(options.io);
    this.migrationsDir = options.migrationsDir;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleep(ms).then(() => undefined));
  }

  config(): CliConfig {
    if (!this.loadedConfig) {
      try {
        this.loadedConfig = loadCliConfig(this.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
    }
    return this.loadedConfig;
  }

  /** A Prisma client that has answered `SELECT 1`. */
  prisma(): Promise<PrismaClient> {
    this.prismaReady ??= this.connectPrisma();
    return this.prismaReady;
  }

  /** Channel secrets are AES-GCM under ENCRYPTION_KEY: without the services' key they can be neither read nor written. */
  secretBox(): SecretBox {
    const config = this.config();
    if (!config.encryptionKeySet) {
      throw new CliError('ENCRYPTION_KEY is not set: the CLI needs the same key as the services to read and write channel secrets');
    }
    return new SecretBox(config.app.encryptionKey);
  }

  async channelRepository(): Promise<ChannelRepository> {
    const secrets = this.secretBox();
    return new ChannelRepository(await this.prisma(), secrets);
  }

  redis(): Promise<Redis> {
    this.redisReady ??= this.connectRedis();
    return this.redisReady;
  }

  /** The queue as the services name it: same Redis, same QUEUE_PREFIX. */
  async queue(name: QueueName): Promise<Queue> {
    const connection = await this.redis();
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: this.config().app.redis.queuePrefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  telegram(botToken: string): TelegramBotApiClient {
    return new TelegramBotApiClient({ apiBaseUrl: this.config().app.telegram.apiBaseUrl, botToken });
  }

  genesys(): GenesysApi {
    if (!this.genesysApi) {
      const { genesys } = this.config().app;
      if (!genesys.clientId || !genesys.clientSecret) {
        throw new CliError('GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET must be set (an OAuth client with the Open Messaging permissions)');
      }
      const tokens = new GenesysTokenCache({ loginBaseUrl: genesys.loginBaseUrl, clientId: genesys.clientId, clientSecret: genesys.clientSecret });
      this.genesysApi = { tokens, openMessaging: new OpenMessagingClient({ apiBaseUrl: genesys.apiBaseUrl, tokens }) };
    }
    return this.genesysApi;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
    if (this.redisClient && this.redisClient.status !== 'end') await this.redisClient.quit().catch(() => this.redisClient?.disconnect());
    await this.prismaClient?.$disconnect();
  }

  private async connectPrisma(): Promise<PrismaClient> {
    const url = this.config().app.db.url;
    const prisma = createPrismaClient(url, 2);
    this.prismaClient = prisma;
    try {
      await prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      throw new CliError(`Postgres is unreachable at ${maskUrl(url)} (${firstLine(error)}): start it (e.g. \`pg_ctlcluster 15 main start\`, or \`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15\`) or set DATABASE_URL`);
    }
    return prisma;
  }

  private async connectRedis(): Promise<Redis> {
    const url = this.config().app.redis.url;
    // No reconnect loop: a CLI command should fail in seconds with one line, not wait for Redis.
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1, retryStrategy: () => null });
    this.redisClient = redis;
    // Without a listener ioredis prints "Unhandled error event"; the failure reaches us through connect().
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (error) {
      throw new CliError(`Redis is unreachable at ${maskUrl(url)} (${firstLine(error)}): start it (e.g. \`redis-server --daemonize yes\`, or \`docker run -d -p 6379:6379 redis:7\`) or set REDIS_URL`);
    }
    return redis;
  }
}

/** The first line of an error's message: drivers append stack-like detail after it. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error').trim().slice(0, 200);
}
