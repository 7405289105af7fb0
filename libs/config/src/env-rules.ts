import type { EnvSchema } from './env.schema.js';

type EnvVariable = keyof typeof EnvSchema.shape;

/**
 * What each variable must be, stated in a config error instead of the value (which may be a secret).
 * A variable missing here falls back to zod's message, which also names the expectation, not the input.
 */
export const ENV_RULES: Readonly<Partial<Record<EnvVariable, string>>> = {
  DATABASE_URL: 'a postgres:// or postgresql:// URL',
  DATABASE_POOL_SIZE: 'an integer 1–100',
  REDIS_URL: 'a redis:// or rediss:// URL',
  QUEUE_PREFIX: '1–64 characters of A-Za-z0-9_.:- (Redis-key-safe)',
  TELEGRAM_API_BASE_URL: 'an http(s):// URL',
  TELEGRAM_BOT_TOKEN: 'a bot token as @BotFather prints it (<digits>:<A-Za-z0-9_->)',
  TELEGRAM_WEBHOOK_SECRET: '1–256 characters of A-Za-z0-9_- (Telegram secret_token)',
  GENESYS_LOGIN_BASE_URL: 'an http(s):// URL',
  GENESYS_API_BASE_URL: 'an http(s):// URL',
  GENESYS_INTEGRATION_ID: 'at most 64 characters',
  GENESYS_WEBHOOK_SECRET: 'at least 16 characters (Genesys refuses shorter signature secrets)',
  PUBLIC_BASE_URL: 'an http(s):// URL of at most 200 characters (media links must stay within 300)',
  INGRESS_PORT: 'an integer port 1–65535',
  OUTBOUND_PORT: 'an integer port 1–65535',
  SEQUENCER_PORT: 'an integer port 1–65535',
  DISPATCHER_PORT: 'an integer port 1–65535',
  SEQUENCER_WINDOW_MS: 'an integer 0–60000',
  MEDIA_URL_TTL_S: 'an integer 60–604800',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'a URL',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  LOG_FORMAT: 'json or pretty',
  TELEGRAM_ALLOWED_CIDRS: 'comma-separated IPv4 CIDRs such as 149.154.160.0/20,91.108.4.0/22, or empty',
  TRUST_PROXY:
    'false, the number of proxies in front (1–32), or comma-separated addresses/CIDRs of the trusted proxies; true (trust every hop) is refused because any client could then forge X-Forwarded-For',
  MESSAGE_RETENTION_DAYS: 'an integer 1–3650',
  OUTBOUND_PER_CHAT_PER_S: 'a number above 0, at most 30',
  OUTBOUND_GLOBAL_PER_S: 'an integer 1–1000',
  DELIVERY_HORIZON_S: 'an integer 1–2592000 (seconds)',
  RETRY_MAX_DELAY_S: 'an integer 1–3600 (seconds)',
  DEAD_LETTER_KEEP: 'an integer 1–10000000',
  WORKER_LOCK_MS: 'an integer 1000–600000',
  SHUTDOWN_DRAIN_MS: 'an integer 0–600000 (milliseconds)',
  OPS_CONSOLE_TOKEN: '32–256 printable ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
  OPS_CONSOLE_USER: 'at most 64 characters, no colon or whitespace (HTTP basic auth)',
  OPS_CONSOLE_PASSWORD: '12–256 characters',
  GRAFANA_URL: 'an http(s):// URL (the Grafana root, e.g. http://localhost:3300)',
  TGG_SANDBOX: 'true, false, 1 or 0',
  TGG_SANDBOX_CONTROL_URL: 'an http:// URL',
};
