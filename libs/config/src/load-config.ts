import { createHmac, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { ENV_RULES } from './env-rules.js';
import { CREDENTIAL_VARIABLES, EnvSchema, type Env } from './env.schema.js';
import type { TrustProxy } from './trust-proxy.js';
import { ConfigError } from './config-error.js';
import { parseEncryptionKey } from './encryption-key.js';

export interface DefaultChannelConfig {
  name: 'default';
  botToken: string;
  webhookSecret: string;
  genesysIntegrationId: string;
  genesysWebhookSecret: string;
}

/** Who may open /ops: a bearer/login token, HTTP basic credentials, or both. */
export interface OpsConsoleConfig {
  token?: string;
  basic?: { user: string; password: string };
}

export interface AppConfig {
  env: string;
  mode: 'live' | 'sandbox';
  /** Set by `npm start` in sandbox mode: the emulators' control API behind the /sandbox console. */
  sandboxConsole?: { controlUrl: string };
  db: { url: string; poolSize: number };
  redis: { url: string; queuePrefix: string };
  telegram: { apiBaseUrl: string; allowedCidrs: string[] };
  genesys: { loginBaseUrl: string; apiBaseUrl: string; clientId?: string; clientSecret?: string };
  /** The env-defined channel (SPEC §3), absent in sandbox mode. */
  defaultChannel?: DefaultChannelConfig;
  http: { publicBaseUrl: string; trustProxy: TrustProxy; ports: { ingress: number; outbound: number; sequencer: number; dispatcher: number } };
  sequencer: { windowMs: number };
  /** lockDurationMs: WORKER_LOCK_MS; drainBudgetMs: SHUTDOWN_DRAIN_MS, how long running jobs may finish on SIGTERM. */
  workers: { lockDurationMs: number; drainBudgetMs: number };
  /**
   * SPEC §5: transient failures are retried (backoff capped at `retryMaxDelayMs`) until the message
   * is `horizonMs` old; only permanent failures and the horizon dead-letter. `deadLetterKeep` bounds
   * each queue's dead letters.
   */
  delivery: { horizonMs: number; retryMaxDelayMs: number; deadLetterKeep: number };
  /** `signingKey` signs media links; derived from ENCRYPTION_KEY so ingress and dispatcher agree. */
  media: { urlTtlS: number; signingKey: Buffer };
  outbound: { perChatPerSecond: number; globalPerSecond: number };
  retention: { messageRetentionDays: number };
  encryptionKey: Buffer;
  /** ENCRYPTION_KEY_PREVIOUS: keys being rotated out (decrypt only). */
  previousEncryptionKeys: Buffer[];
  /** True when ENCRYPTION_KEY was not given and a throwaway one was generated (sandbox only). */
  encryptionKeyGenerated: boolean;
  /** grafanaUrl: GRAFANA_URL without a trailing slash; the ops console links traces there. */
  telemetry: { otlpEndpoint?: string; grafanaUrl?: string };
  /** The operator console under /ops: absent (off) unless OPS_CONSOLE_TOKEN or OPS_CONSOLE_USER + OPS_CONSOLE_PASSWORD are set. */
  opsConsole?: OpsConsoleConfig;
  log: { level: Env['LOG_LEVEL']; pretty: boolean };
}

/** Reads and validates the environment once; the error names variables and their rules, never values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = EnvSchema.safeParse(env);
  if (!result.success) throw configErrorFrom(result.error);
  return Object.freeze(toAppConfig(result.data));
}

/**
 * One line: `invalid environment variable: NAME — <rule>` for each failing variable, joined by `; `.
 * The rule comes from ENV_RULES, else from zod's messages, which state expectations ("expected
 * number to be >=1"), never the input.
 */
export function configErrorFrom(error: z.ZodError): ConfigError {
  const messagesByName = new Map<string, string[]>();
  for (const issue of error.issues) {
    const name = issue.path.map(String).join('.');
    messagesByName.set(name, [...(messagesByName.get(name) ?? []), issue.message]);
  }
  const lines = [...messagesByName].map(([name, messages]) => {
    const rule = (ENV_RULES as Readonly<Record<string, string | undefined>>)[name] ?? [...new Set(messages)].join(', ');
    return `invalid environment variable: ${name} — ${rule}`;
  });
  return new ConfigError(lines.join('; '));
}

export function toAppConfig(env: Env): AppConfig {
  const present = CREDENTIAL_VARIABLES.filter((name) => env[name] !== undefined);
  if (present.length > 0 && present.length < CREDENTIAL_VARIABLES.length) {
    const missing = CREDENTIAL_VARIABLES.filter((name) => env[name] === undefined);
    throw new ConfigError(`incomplete credentials: set ${missing.join(', ')} too, or unset all of ${CREDENTIAL_VARIABLES.join(', ')} for sandbox mode`);
  }
  const mode = present.length === 0 ? 'sandbox' : 'live';
  if (mode === 'live' && env.ENCRYPTION_KEY === undefined) {
    throw new ConfigError('missing environment variable: ENCRYPTION_KEY — required outside sandbox mode: 32 bytes as 64 hex characters or base64');
  }
  const encryptionKey = env.ENCRYPTION_KEY === undefined ? randomBytes(32) : parseEncryptionKey(env.ENCRYPTION_KEY);
  return {
    env: env.NODE_ENV,
    mode,
    sandboxConsole: env.TGG_SANDBOX && env.TGG_SANDBOX_CONTROL_URL ? { controlUrl: stripTrailingSlash(env.TGG_SANDBOX_CONTROL_URL) } : undefined,
    db: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    telegram: { apiBaseUrl: stripTrailingSlash(env.TELEGRAM_API_BASE_URL), allowedCidrs: env.TELEGRAM_ALLOWED_CIDRS },
    genesys: {
      loginBaseUrl: stripTrailingSlash(env.GENESYS_LOGIN_BASE_URL),
      apiBaseUrl: stripTrailingSlash(env.GENESYS_API_BASE_URL),
      clientId: env.GENESYS_CLIENT_ID,
      clientSecret: env.GENESYS_CLIENT_SECRET,
    },
    defaultChannel:
      mode === 'live'
        ? {
            name: 'default',
            // Non-null: the all-or-none rule above guarantees every credential is set in live mode.
            botToken: env.TELEGRAM_BOT_TOKEN!,
            webhookSecret: env.TELEGRAM_WEBHOOK_SECRET!,
            genesysIntegrationId: env.GENESYS_INTEGRATION_ID!,
            genesysWebhookSecret: env.GENESYS_WEBHOOK_SECRET!,
          }
        : undefined,
    http: {
      publicBaseUrl: stripTrailingSlash(env.PUBLIC_BASE_URL),
      trustProxy: env.TRUST_PROXY,
      ports: { ingress: env.INGRESS_PORT, outbound: env.OUTBOUND_PORT, sequencer: env.SEQUENCER_PORT, dispatcher: env.DISPATCHER_PORT },
    },
    sequencer: { windowMs: env.SEQUENCER_WINDOW_MS },
    workers: { lockDurationMs: env.WORKER_LOCK_MS, drainBudgetMs: env.SHUTDOWN_DRAIN_MS },
    delivery: { horizonMs: env.DELIVERY_HORIZON_S * 1000, retryMaxDelayMs: env.RETRY_MAX_DELAY_S * 1000, deadLetterKeep: env.DEAD_LETTER_KEEP },
    media: { urlTtlS: env.MEDIA_URL_TTL_S, signingKey: createHmac('sha256', encryptionKey).update('tgg/media-links/v1').digest() },
    outbound: { perChatPerSecond: env.OUTBOUND_PER_CHAT_PER_S, globalPerSecond: env.OUTBOUND_GLOBAL_PER_S },
    retention: { messageRetentionDays: env.MESSAGE_RETENTION_DAYS },
    encryptionKey,
    previousEncryptionKeys: (env.ENCRYPTION_KEY_PREVIOUS ?? '').split(',').map((key) => key.trim()).filter(Boolean).map((key) => parseKeyNamed(key, 'ENCRYPTION_KEY_PREVIOUS')),
    encryptionKeyGenerated: env.ENCRYPTION_KEY === undefined,
    telemetry: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, grafanaUrl: env.GRAFANA_URL === undefined ? undefined : stripTrailingSlash(env.GRAFANA_URL) },
    opsConsole: opsConsoleOf(env),
    log: { level: env.LOG_LEVEL, pretty: env.LOG_FORMAT ? env.LOG_FORMAT === 'pretty' : false },
  };
}

function opsConsoleOf(env: Env): OpsConsoleConfig | undefined {
  const user = env.OPS_CONSOLE_USER;
  const password = env.OPS_CONSOLE_PASSWORD;
  if (user !== undefined && password === undefined) {
    throw new ConfigError('missing environment variable: OPS_CONSOLE_PASSWORD — OPS_CONSOLE_USER is set: the ops console needs both for basic auth (or unset OPS_CONSOLE_USER)');
  }
  if (password !== undefined && user === undefined) {
    throw new ConfigError('missing environment variable: OPS_CONSOLE_USER — OPS_CONSOLE_PASSWORD is set: the ops console needs both for basic auth (or unset OPS_CONSOLE_PASSWORD)');
  }
  const basic = user !== undefined && password !== undefined ? { user, password } : undefined;
  if (env.OPS_CONSOLE_TOKEN === undefined && basic === undefined) return undefined;
  return Object.freeze({ token: env.OPS_CONSOLE_TOKEN, basic });
}

function parseKeyNamed(text: string, variable: string): Buffer {
  try {
    return parseEncryptionKey(text);
  } catch {
    throw new ConfigError(`invalid environment variable: ${variable} — comma-separated keys of 32 bytes, each 64 hex characters or base64`);
  }
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
