import { readMigrations, type PrismaClient } from '@tgg/data';
import type { Redis } from 'ioredis';
import type { CliContext } from './cli-context.js';
import { firstLine } from './cli-context.js';
import { CliError } from './cli-error.js';
import type { CliConfig } from './cli-config.js';
import type { DoctorReport } from './doctor-report.js';
import { maskUrl } from './mask-url.js';
import { telegramWebhookUrl } from './public-urls.js';

/** Doctor's checks of the environment, Postgres and Redis; each prints one line and, when it fails, the fix. */

export function checkConfiguration(context: CliContext, report: DoctorReport): CliConfig | undefined {
  let config: CliConfig;
  try {
    config = context.config();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.fail(`configuration: ${error.message}`, 'fix the variables named (values are never printed); see README "Configuration"');
    return undefined;
  }
  if (config.serviceConfigProblem) report.fail(`the services would refuse this environment: ${config.serviceConfigProblem}`, 'see README "Configuration" (SPEC §3)');
  else report.ok('configuration valid');
  if (!config.encryptionKeySet) {
    report.fail('ENCRYPTION_KEY is not set: channel secrets stored in Postgres cannot be read', 'set ENCRYPTION_KEY to the key the services use (32 bytes as 64 hex characters)');
  }
  try {
    const webhookUrl = telegramWebhookUrl(config.app.http.publicBaseUrl, 'default');
    // Accepted for the emulators; real Telegram only calls https.
    const localNote = webhookUrl.startsWith('http:') ? ' (plain http on localhost: only the emulators can call it)' : '';
    report.ok(`PUBLIC_BASE_URL ${config.app.http.publicBaseUrl} can receive Telegram webhooks${localNote}`);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.fail(error.message);
  }
  return config;
}

export async function checkPostgres(context: CliContext, config: CliConfig, report: DoctorReport): Promise<PrismaClient | undefined> {
  try {
    const prisma = await context.prisma();
    report.ok(`Postgres reachable at ${maskUrl(config.app.db.url)}`);
    return prisma;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.fail(error.message);
    return undefined;
  }
}

interface AppliedMigration {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The migrations in this checkout against Prisma's `_prisma_migrations` bookkeeping. */
export async function checkMigrations(context: CliContext, prisma: PrismaClient, report: DoctorReport): Promise<void> {
  const expected = await readMigrations(context.migrationsDir);
  let applied: AppliedMigration[];
  try {
    // The type parameter is trusted: these are the columns of Prisma's own bookkeeping table.
    applied = await prisma.$queryRaw<AppliedMigration[]>`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`;
  } catch (error) {
    report.fail(`cannot read _prisma_migrations (${firstLine(error)}): the database was never migrated`, 'npm run db:migrate');
    return;
  }
  const failed = applied.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    report.fail(`migration ${failed.migration_name} failed earlier and was not rolled back`, 'repair the database, mark it rolled back, then npm run db:migrate');
    return;
  }
  const finished = new Map(applied.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]));
  const pending = expected.filter((migration) => !finished.has(migration.name));
  const edited = expected.filter((migration) => finished.has(migration.name) && finished.get(migration.name) !== migration.checksum);
  const known = new Set(expected.map((migration) => migration.name));
  const unknown = [...finished.keys()].filter((name) => !known.has(name));
  if (pending.length > 0) report.fail(`${pending.length} migration(s) pending: ${pending.map((m) => m.name).join(', ')}`, 'npm run db:migrate');
  if (edited.length > 0) report.fail(`migration(s) changed after they were applied: ${edited.map((m) => m.name).join(', ')}`, 'restore them and add a new migration instead');
  if (unknown.length > 0) report.warn(`the database has migration(s) this code does not know: ${unknown.join(', ')}`, 'deploy the code that matches the database');
  if (pending.length === 0 && edited.length === 0) report.ok(`migrations applied (${expected.length} of ${expected.length})`);
}

export async function checkRedis(context: CliContext, config: CliConfig, report: DoctorReport): Promise<void> {
  let redis: Redis;
  try {
    redis = await context.redis();
    await redis.ping();
  } catch (error) {
    report.fail(error instanceof CliError ? error.message : `Redis at ${maskUrl(config.app.redis.url)} does not answer PING (${firstLine(error)})`);
    return;
  }
  report.ok(`Redis reachable at ${maskUrl(config.app.redis.url)} (queue prefix "${config.app.redis.queuePrefix}")`);
  let settings: { appendonly?: string; appendfsync?: string; policy?: string };
  try {
    settings = { appendonly: await configValue(redis, 'appendonly'), appendfsync: await configValue(redis, 'appendfsync'), policy: await configValue(redis, 'maxmemory-policy') };
  } catch (error) {
    report.warn(`cannot read Redis CONFIG (${firstLine(error)})`, "make sure persistence is AOF with appendfsync everysec and maxmemory-policy is noeviction in your provider's settings");
    return;
  }
  // A restart without AOF loses every queued update that Telegram was already told was accepted.
  if (settings.appendonly === 'yes') {
    const fsyncNote = settings.appendfsync === 'no' ? ' but appendfsync is no' : '';
    if (fsyncNote) report.warn(`AOF on${fsyncNote}: the OS decides when writes reach disk`, 'redis-cli CONFIG SET appendfsync everysec (and in redis.conf)');
    else report.ok(`AOF persistence on (appendfsync ${settings.appendfsync ?? '?'})`);
  } else {
    report.warn(
      'appendonly is no: a Redis restart loses queued messages',
      'redis-cli CONFIG SET appendonly yes && redis-cli CONFIG SET appendfsync everysec, and the same in redis.conf (docker-compose.yml already does this)',
    );
  }
  // Any other policy lets Redis delete queued jobs under memory pressure; BullMQ needs noeviction.
  if (settings.policy === 'noeviction') report.ok('maxmemory-policy noeviction');
  else report.warn(`maxmemory-policy is ${settings.policy ?? 'unknown'}: Redis may evict queued jobs when memory runs out`, 'redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf)');
}

/** CONFIG GET answers [name, value]; managed Redis often disables CONFIG, which the caller reports. */
async function configValue(redis: Redis, name: string): Promise<string | undefined> {
  const reply: unknown = await redis.config('GET', name);
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
}
