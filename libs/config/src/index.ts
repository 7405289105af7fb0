export { EnvSchema, CREDENTIAL_VARIABLES, QUEUE_PREFIX_PATTERN, SECRET_VARIABLES, type Env } from './env.schema.js';
export { ENV_RULES } from './env-rules.js';
export { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
export { configErrorFrom, loadConfig, toAppConfig, type AppConfig, type DefaultChannelConfig, type OpsConsoleConfig } from './load-config.js';
export { ConfigError } from './config-error.js';
export { parseEncryptionKey } from './encryption-key.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
