import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ChannelRepository, createPrismaClient, SecretBox, type PrismaClient } from '@tgg/data';
import { FakeGenesys, FakeTelegram } from '@tgg/emulators';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db.js';
import { redisUrl } from './test-env.js';

/** The CLI's I/O as its `runCli` takes it (apps/cli/src/cli-io.ts), restated so this lib needs no app import. */
export interface CliIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  readStdinLine(prompt: string): Promise<string>;
}

/**
 * The operator CLI as a function (apps/cli/src/run-cli.ts `runCli`). The spec passes it in: a lib may
 * not import an app, and only specs may import this lib.
 */
export type CliEntry<Options> = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo, options?: Options) => Promise<number>;

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunInput<Options> {
  /** Replaces variables of the harness environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Clock and sleep for commands that poll. */
  options?: Options;
}

/**
 * One test file's world for the operator CLI: a fresh migrated database, its own queue prefix,
 * FakeTelegram and FakeGenesys on random ports. `run` executes the CLI in-process and fails the
 * test if any secret it knows of — env secrets, bot tokens, every secret ever stored in a channel —
 * appears in the output, whole or as a 10-character piece.
 */
export class CliHarness<Options> {
  readonly encryptionKey = randomBytes(32).toString('hex');
  readonly genesysClient = { id: `cli-client-${randomBytes(3).toString('hex')}`, secret: `client-secret-${randomBytes(12).toString('hex')}` };
  readonly queuePrefix = testQueuePrefix();
  private readonly secrets = new Set<string>();
  private readonly prisma: PrismaClient;

  private constructor(
    private readonly runCli: CliEntry<Options>,
    readonly db: TestDatabase,
    readonly telegram: FakeTelegram,
    readonly genesys: FakeGenesys,
  ) {
    this.prisma = createPrismaClient(db.url, 2);
    this.rememberSecret(this.encryptionKey, this.genesysClient.secret);
    genesys.addClient(this.genesysClient.id, this.genesysClient.secret);
  }

  static async start<Options>(runCli: CliEntry<Options>): Promise<CliHarness<Options>> {
    const [db, telegram, genesys] = await Promise.all([createTestDatabase(), FakeTelegram.start(), FakeGenesys.start()]);
    return new CliHarness(runCli, db, telegram, genesys);
  }

  /** The services' environment minus the credential set: a database-only setup. */
  baseEnv(): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: this.queuePrefix,
      TELEGRAM_API_BASE_URL: this.telegram.baseUrl,
      GENESYS_LOGIN_BASE_URL: this.genesys.baseUrl,
      GENESYS_API_BASE_URL: this.genesys.baseUrl,
      GENESYS_CLIENT_ID: this.genesysClient.id,
      GENESYS_CLIENT_SECRET: this.genesysClient.secret,
      ENCRYPTION_KEY: this.encryptionKey,
      PUBLIC_BASE_URL: 'https://bridge.example.com',
    };
  }

  /** A bot FakeTelegram knows, with a token shaped like BotFather's. */
  newBot(username: string): { token: string; id: number } {
    const id = 6_000_000_000 + Math.floor(Math.random() * 1_000_000);
    const token = `${id}:AAH${randomBytes(24).toString('base64url')}`;
    this.telegram.addBot(token, { id, username });
    this.rememberSecret(token);
    return { token, id };
  }

  rememberSecret(...values: string[]): void {
    for (const value of values) this.secrets.add(value);
  }

  async run(argv: string[], input: RunInput<Options> = {}): Promise<CliRun> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const io: CliIo = {
      writeOut: (text) => stdout.push(text),
      writeErr: (text) => stderr.push(text),
      readStdinLine: async () => {
        if (input.stdin === undefined) throw new Error('the test gave no stdin');
        return input.stdin;
      },
    };
    const env = { ...this.baseEnv(), ...input.env };
    for (const [name, value] of Object.entries(input.env ?? {})) if (value !== undefined && /SECRET|TOKEN|KEY/.test(name)) this.rememberSecret(value);
    const exitCode = await this.runCli(argv, env, io, input.options);
    const result = { exitCode, stdout: stdout.join(''), stderr: stderr.join('') };
    await this.expectNoSecretIn(`${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** Decrypted channel secrets, read the way the services read them. */
  async storedChannel(name: string) {
    return new ChannelRepository(this.prisma, new SecretBox(Buffer.from(this.encryptionKey, 'hex'))).findByName(name);
  }

  /** The raw row, as anyone with database access sees it. */
  async rawChannelRow(name: string): Promise<Record<string, unknown> | undefined> {
    const client = new pg.Client({ connectionString: this.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<Record<string, unknown>>('SELECT * FROM channels WHERE name = $1', [name]);
      return rows[0];
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await Promise.all([this.telegram.close(), this.genesys.close()]);
    await this.db.drop();
  }

  private async expectNoSecretIn(output: string): Promise<void> {
    const stored = await new ChannelRepository(this.prisma, new SecretBox(Buffer.from(this.encryptionKey, 'hex'))).list();
    for (const channel of stored) this.rememberSecret(...[channel.botToken, channel.webhookSecret, channel.genesysWebhookSecret].filter((value): value is string => !!value));
    for (const secret of this.secrets) {
      for (const piece of piecesOf(secret)) {
        if (output.includes(piece)) throw new Error(`CLI output contains (part of) a secret: …${piece.slice(0, 3)}…\n${output}`);
      }
    }
  }
}

/** The secret itself and every 10-character window of it (a leak of half a token is still a leak). */
function piecesOf(secret: string): string[] {
  // A bot token's numeric prefix is the bot's public user id (https://core.telegram.org/bots/api#authorizing-your-bot): printable.
  const secretPart = secret.replace(/^\d+:/, '');
  if (secretPart.length <= 10) return [secret, secretPart];
  return [secret, ...Array.from({ length: secretPart.length - 9 }, (_, start) => secretPart.slice(start, start + 10))];
}
