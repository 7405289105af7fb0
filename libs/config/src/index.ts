export { EnvSchema, CREDENTIAL_VARIABLES, SECRET_VARIABLES, type Env } from './env.schema.js';
export { ConfigError, loadConfig, parseEncryptionKey, toAppConfig, type AppConfig, type DefaultChannelConfig } from './load-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
