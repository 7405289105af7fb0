import { ChannelName } from '@tgg/contracts';
import type { ChannelCredentials } from '@tgg/operations';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';

/** A channel as the operator sees it: environment (`default`) or Postgres (see @tgg/operations ChannelCredentials). */
export type OperatedChannel = ChannelCredentials;

/** The variable behind each field of the env-defined channel, for messages that say what to set. */
export const ENV_VARIABLE_OF = {
  botToken: 'TELEGRAM_BOT_TOKEN',
  webhookSecret: 'TELEGRAM_WEBHOOK_SECRET',
  genesysIntegrationId: 'GENESYS_INTEGRATION_ID',
  genesysWebhookSecret: 'GENESYS_WEBHOOK_SECRET',
} as const;

export function parseChannelName(name: string): string {
  const parsed = ChannelName.safeParse(name);
  if (!parsed.success) throw new CliError(`invalid channel name "${name}": ${parsed.error.issues[0]?.message ?? 'not allowed'}`);
  return parsed.data;
}

export function isEnvironmentChannel(context: CliContext, name: string): boolean {
  return name === 'default' && context.config().envChannel !== undefined;
}

export async function findChannel(context: CliContext, name: string): Promise<OperatedChannel | undefined> {
  const envChannel = context.config().envChannel;
  if (name === 'default' && envChannel) return { ...envChannel, source: 'environment' };
  const record = await (await context.channelRepository()).findByName(name);
  if (!record) return undefined;
  return {
    name: record.name,
    source: 'database',
    botToken: record.botToken,
    webhookSecret: record.webhookSecret,
    genesysIntegrationId: record.genesysIntegrationId ?? undefined,
    genesysWebhookSecret: record.genesysWebhookSecret ?? undefined,
  };
}

export async function requireChannel(context: CliContext, name: string): Promise<OperatedChannel> {
  const channel = await findChannel(context, parseChannelName(name));
  if (!channel) {
    throw new CliError(
      `no channel named "${name}": add it with \`npm run cli -- channel add ${name} --bot-token-env VAR\`` +
        (name === 'default' ? ' or set the credential variables of SPEC §3' : ''),
    );
  }
  return channel;
}

/** The field's value, or a CliError saying which variable (env channel) or command (database channel) provides it. */
export function requireField<K extends keyof typeof ENV_VARIABLE_OF>(channel: OperatedChannel, field: K, fixForDatabase: string): string {
  const value = channel[field];
  if (value !== undefined) return value;
  const fix = channel.source === 'environment' ? `set ${ENV_VARIABLE_OF[field]}` : fixForDatabase;
  throw new CliError(`channel "${channel.name}" has no ${describeField(field)}: ${fix}`);
}

/** Refuses to change an env-owned channel in Postgres: the services would overwrite it at their next start. */
export function requireDatabaseChannel(channel: OperatedChannel, action: string, envFix: string): void {
  if (channel.source === 'environment') {
    throw new CliError(`channel "${channel.name}" is defined by environment variables, so the CLI cannot ${action}: ${envFix}`);
  }
}

function describeField(field: keyof typeof ENV_VARIABLE_OF): string {
  switch (field) {
    case 'botToken':
      return 'Telegram bot token';
    case 'webhookSecret':
      return 'Telegram webhook secret';
    case 'genesysIntegrationId':
      return 'Genesys integration';
    case 'genesysWebhookSecret':
      return 'Genesys webhook signature secret';
  }
}
