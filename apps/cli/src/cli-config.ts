import { CREDENTIAL_VARIABLES, ConfigError, EnvSchema, configErrorFrom, loadConfig, type AppConfig } from '@tgg/config';

/** What the environment says about the `default` channel; any field may be missing while an operator sets it up. */
export interface EnvChannel {
  name: 'default';
  botToken?: string;
  webhookSecret?: string;
  genesysIntegrationId?: string;
  genesysWebhookSecret?: string;
}

export interface CliConfig {
  /** Everything but the credential set, validated as the services validate it; plus the Genesys OAuth client. */
  app: AppConfig;
  /** Set when any channel variable of the credential set is: the env then owns channel `default` (services rewrite it at every start). */
  envChannel?: EnvChannel;
  /** Why the services would refuse this environment (e.g. a partial credential set); undefined when they would start. */
  serviceConfigProblem?: string;
  /** False when ENCRYPTION_KEY is unset: channel secrets in Postgres can then be neither read nor written. */
  encryptionKeySet: boolean;
}

const CredentialsSchema = EnvSchema.pick({
  TELEGRAM_BOT_TOKEN: true,
  TELEGRAM_WEBHOOK_SECRET: true,
  GENESYS_CLIENT_ID: true,
  GENESYS_CLIENT_SECRET: true,
  GENESYS_INTEGRATION_ID: true,
  GENESYS_WEBHOOK_SECRET: true,
});

const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_VARIABLES);

/**
 * The services accept all six credentials or none. The CLI must also work in between: an operator
 * creates the Genesys integration (needing only the OAuth client) before GENESYS_INTEGRATION_ID
 * exists. So it validates the credential set on its own and keeps the services' verdict for
 * `doctor`. Errors name variables and their rules, never values (as loadConfig does).
 */
export function loadCliConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  let serviceConfigProblem: string | undefined;
  try {
    loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    serviceConfigProblem = error.message;
  }
  const withoutCredentials = Object.fromEntries(Object.entries(env).filter(([name]) => !CREDENTIAL_NAMES.has(name)));
  const base = loadConfig(withoutCredentials);
  const parsed = CredentialsSchema.safeParse(env);
  if (!parsed.success) throw configErrorFrom(parsed.error);
  const credentials = parsed.data;
  const channelValues = {
    botToken: credentials.TELEGRAM_BOT_TOKEN,
    webhookSecret: credentials.TELEGRAM_WEBHOOK_SECRET,
    genesysIntegrationId: credentials.GENESYS_INTEGRATION_ID,
    genesysWebhookSecret: credentials.GENESYS_WEBHOOK_SECRET,
  };
  const envDefinesDefault = Object.values(channelValues).some((value) => value !== undefined);
  return {
    // `mode` stays the credential-free verdict ('sandbox'); the CLI never branches on it.
    app: Object.freeze({ ...base, genesys: { ...base.genesys, clientId: credentials.GENESYS_CLIENT_ID, clientSecret: credentials.GENESYS_CLIENT_SECRET } }),
    envChannel: envDefinesDefault ? { name: 'default', ...channelValues } : undefined,
    serviceConfigProblem,
    encryptionKeySet: !base.encryptionKeyGenerated,
  };
}

