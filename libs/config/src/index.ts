export { EnvSchema, CREDENTIAL_VARIABLES, QUEUE_PREFIX_PATTERN, SECRET_VARIABLES, type Env } from './env.schema.js';
export { ENV_RULES } from './env-rules.js';
export { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
export { ConfigError, configErrorFrom, loadConfig, parseEncryptionKey, toAppConfig, type AppConfig, type DefaultChannelConfig } from './load-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
