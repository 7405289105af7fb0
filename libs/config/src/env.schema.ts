import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy.js';

/**
 * Every environment variable the product reads (SPEC §3). Defaults are for local use only. The rule
 * a config error states for each variable is in env-rules.ts.
 */
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalNonEmpty = z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined));
const booleanFlag = z.enum(['true', 'false', '1', '0', '']).default('false').transform((value) => value === 'true' || value === '1');

/** Redis-key-safe: no spaces, braces (cluster hash tags), glob characters or quotes. */
export const QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Comma-separated IPv4 CIDRs (a.b.c.d/n), blank = off. */
const ipv4CidrList = z
  .string()
  .default('')
  .transform((text) => text.split(',').map((cidr) => cidr.trim()).filter(Boolean))
  .refine((cidrs) => cidrs.every(isIpv4Cidr));

function isIpv4Cidr(cidr: string): boolean {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  return match !== null && isIPv4(match[1] ?? '') && Number(match[2]) <= 32;
}

export const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/tg_genesys'),
  // Connections per process (Prisma's pg pool); size it so replicas × pool stays under Postgres/PgBouncer limits.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(QUEUE_PREFIX_PATTERN).default('tgg'),
  TELEGRAM_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  TELEGRAM_BOT_TOKEN: optionalNonEmpty.pipe(z.string().regex(/^\d+:[A-Za-z0-9_-]+$|^[A-Za-z0-9_:-]{8,}$/).optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalNonEmpty.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).optional()),
  GENESYS_LOGIN_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://login.mypurecloud.com'),
  GENESYS_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.mypurecloud.com'),
  GENESYS_CLIENT_ID: optionalNonEmpty,
  GENESYS_CLIENT_SECRET: optionalNonEmpty,
  GENESYS_INTEGRATION_ID: optionalNonEmpty.pipe(z.string().max(64).optional()),
  // Genesys itself refuses signature secrets of 15 characters or fewer.
  GENESYS_WEBHOOK_SECRET: optionalNonEmpty.pipe(z.string().min(16).optional()),
  // At most 200 characters: media links append up to 94 more, and SPEC §4 promises links of at most 300.
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).max(200).default('http://localhost:3000'),
  INGRESS_PORT: port(3000),
  OUTBOUND_PORT: port(3001),
  SEQUENCER_PORT: port(3002),
  DISPATCHER_PORT: port(3003),
  SEQUENCER_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  MEDIA_URL_TTL_S: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  ENCRYPTION_KEY: optionalNonEmpty,
  // Keys being rotated out, comma-separated: still decrypt, and secrets are re-encrypted under ENCRYPTION_KEY at start.
  ENCRYPTION_KEY_PREVIOUS: optionalNonEmpty,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalNonEmpty.pipe(z.url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  TELEGRAM_ALLOWED_CIDRS: ipv4CidrList,
  // `true` (believe every hop) is refused: any client could then forge its address in X-Forwarded-For.
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((text, context) => {
      const trust = parseTrustProxy(text);
      if (trust === 'invalid') {
        context.addIssue({ code: 'custom', message: 'invalid TRUST_PROXY' });
        return z.NEVER;
      }
      return trust;
    }),
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OUTBOUND_PER_CHAT_PER_S: z.coerce.number().positive().max(30).default(1),
  OUTBOUND_GLOBAL_PER_S: z.coerce.number().int().min(1).max(1000).default(30),
  // Transient failures are retried until the message is this old (Telegram's own redelivery horizon is 24 h).
  DELIVERY_HORIZON_S: z.coerce.number().int().min(1).max(30 * 24 * 3600).default(86_400),
  // Cap of the retry backoff: after a peer's outage ends, delivery resumes within about this long.
  RETRY_MAX_DELAY_S: z.coerce.number().int().min(1).max(3600).default(30),
  // Dead letters kept per queue (newest); older ones are dropped and counted, so Redis under noeviction cannot fill up.
  DEAD_LETTER_KEEP: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  // A killed worker's jobs return to their queue within about 1.33 × this (BullMQ lock duration plus one stalled check).
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(6_000),
  // On SIGTERM, running jobs get this long to finish; the rest are handed back to their queue at once (another replica takes them).
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  // The operator console under /ops (dispatcher): off unless a token or a user and password are set.
  OPS_CONSOLE_TOKEN: optionalNonEmpty.pipe(z.string().min(32).max(256).regex(/^[\x21-\x7e]+$/).optional()),
  OPS_CONSOLE_USER: optionalNonEmpty.pipe(z.string().max(64).regex(/^[^:\s]+$/).optional()),
  OPS_CONSOLE_PASSWORD: optionalNonEmpty.pipe(z.string().min(12).max(256).optional()),
  // Grafana with a Tempo data source: the console links messages to their traces.
  GRAFANA_URL: optionalNonEmpty.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Set by `npm start` when it runs the built-in emulators: enables the /sandbox console.
  TGG_SANDBOX: booleanFlag,
  TGG_SANDBOX_CONTROL_URL: optionalNonEmpty.pipe(z.url({ protocol: /^http$/ }).optional()),
});
export type Env = z.infer<typeof EnvSchema>;

/** The variables that define the `default` channel: all set, none set (sandbox), or an error. */
export const CREDENTIAL_VARIABLES = [
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'GENESYS_CLIENT_ID',
  'GENESYS_CLIENT_SECRET',
  'GENESYS_INTEGRATION_ID',
  'GENESYS_WEBHOOK_SECRET',
] as const;

/** Never printed, not even partly. */
export const SECRET_VARIABLES = new Set<string>([
  'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'GENESYS_CLIENT_SECRET', 'GENESYS_WEBHOOK_SECRET', 'ENCRYPTION_KEY', 'ENCRYPTION_KEY_PREVIOUS', 'DATABASE_URL', 'REDIS_URL',
  'OPS_CONSOLE_TOKEN', 'OPS_CONSOLE_PASSWORD',
]);
