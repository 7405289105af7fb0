import type { Command } from 'commander';
import { z } from 'zod';
import type { ChannelRecord } from '@tgg/data';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { parseOptions } from './command-options.js';
import type { Runner } from './command-runner.js';
import { isEnvironmentChannel, parseChannelName, type OperatedChannel } from './channel-source.js';
import { listChannels } from './channel-list.js';
import { fingerprint, generateTelegramWebhookSecret, readSecret, SECRET_SHAPES } from './secrets.js';
import { expectedWebhookUrl, registerWebhook, translateTelegramFailure } from './telegram-webhook.js';

const AddOptions = z.object({
  botTokenEnv: z.string().optional(),
  botTokenStdin: z.boolean().default(false),
  webhookSecretEnv: z.string().optional(),
  integrationId: z.string().min(1).max(64).optional(),
  genesysSecretEnv: z.string().optional(),
  update: z.boolean().default(false),
  verify: z.boolean().default(true),
});
const RemoveOptions = z.object({ yes: z.boolean().default(false), keepWebhook: z.boolean().default(false) });

const SECRETS_HELP = `
Secrets are read from environment variables (--*-env VAR names the variable) or stdin, never
from arguments: every user of the machine can read a process's argv with \`ps\`.
  BOT_TOKEN=… npm run cli -- channel add support --bot-token-env BOT_TOKEN
  printf '%s\\n' "$TOKEN" | npm run cli -- channel add support --bot-token-stdin`;

/** Channels kept in Postgres (secrets AES-GCM encrypted under ENCRYPTION_KEY); `default` may instead come from the environment. */
export function registerChannelCommands(program: Command, run: Runner): void {
  const channel = program.command('channel').description('Telegram bot ↔ Genesys integration pairs kept in Postgres');

  channel
    .command('add')
    .description('add a channel (or --update one): verifies the bot token with getMe and generates the webhook secret')
    .argument('<name>', 'channel name (a-z 0-9 _ -); it appears in webhook URLs')
    .option('--bot-token-env <VAR>', 'read the bot token from this environment variable')
    .option('--bot-token-stdin', 'read the bot token from the first line of stdin')
    .option('--webhook-secret-env <VAR>', 'use this Telegram webhook secret instead of a generated one')
    .option('--integration-id <id>', 'an existing Genesys Open Messaging integration (else: genesys integration create)')
    .option('--genesys-secret-env <VAR>', "that integration's outbound signature secret")
    .option('--update', 'change an existing channel: replace only the secrets given')
    .option('--no-verify', 'do not call getMe to check the bot token')
    .addHelpText('after', SECRETS_HELP)
    .action((name: string, options: unknown) => run((context) => addChannel(context, name, parseOptions(AddOptions, options))));

  channel
    .command('list')
    .description('channels with their Genesys integration and which secrets are set (never their values)')
    .action(() => run((context) => listChannels(context)));

  channel
    .command('remove')
    .description("delete a channel with its conversations and message log; deletes its Telegram webhook first")
    .argument('<name>', 'channel name')
    .option('--yes', 'confirm: the channel, its conversations and its message log are deleted')
    .option('--keep-webhook', 'leave the Telegram webhook as it is (e.g. when the bot token no longer works)')
    .action((name: string, options: unknown) => run((context) => removeChannel(context, name, parseOptions(RemoveOptions, options))));

  channel
    .command('rotate-secret')
    .description('generate and store a new Telegram webhook secret, then re-register the webhook so Telegram sends it')
    .argument('<name>', 'channel name')
    .action((name: string) => run((context) => rotateSecret(context, name)));
}

async function addChannel(context: CliContext, nameArgument: string, options: z.infer<typeof AddOptions>): Promise<void> {
  const name = parseChannelName(nameArgument);
  if (isEnvironmentChannel(context, name)) {
    throw new CliError('channel "default" is defined by environment variables (TELEGRAM_BOT_TOKEN, …): change those, or add the channel under another name');
  }
  const repository = await context.channelRepository();
  const existing = await repository.findByName(name);
  if (existing && !options.update) {
    throw new CliError(`channel "${name}" already exists: pass --update to replace the secrets given, or remove it first`);
  }
  if (!existing && options.update) throw new CliError(`channel "${name}" does not exist: add it without --update`);

  const botToken = await readSecret(context, { envVar: options.botTokenEnv, stdin: options.botTokenStdin }, SECRET_SHAPES.botToken);
  if (!existing && botToken === undefined) {
    throw new CliError('give the bot token with --bot-token-env VAR or --bot-token-stdin (never as an argument: argv is visible in `ps`)');
  }
  const webhookSecret = await readSecret(context, { envVar: options.webhookSecretEnv }, SECRET_SHAPES.telegramWebhookSecret);
  const genesysSecret = await readSecret(context, { envVar: options.genesysSecretEnv }, SECRET_SHAPES.genesysWebhookSecret);
  if (options.integrationId && !genesysSecret && !existing?.genesysWebhookSecret) {
    throw new CliError("--integration-id needs --genesys-secret-env VAR: the integration's outbound signature secret, which Genesys never returns");
  }

  const bot = botToken !== undefined && options.verify ? await verifyBotToken(context, name, botToken) : undefined;
  const record = await repository.upsert({
    name,
    botToken: botToken ?? requireExisting(existing).botToken,
    webhookSecret: webhookSecret ?? existing?.webhookSecret ?? generateTelegramWebhookSecret(),
    genesysIntegrationId: options.integrationId ?? existing?.genesysIntegrationId ?? null,
    genesysWebhookSecret: genesysSecret ?? existing?.genesysWebhookSecret ?? null,
  });

  const printer = context.printer;
  printer.line(`✓ channel "${name}" ${existing ? 'updated' : 'added'}`);
  printer.fields([
    ['bot', bot ? `@${bot.username ?? '?'} (id ${bot.id})` : botToken === undefined ? 'unchanged' : 'not verified (--no-verify)'],
    ['bot token', describeSecretChange(existing?.botToken, record.botToken, botToken !== undefined)],
    ['webhook secret', describeSecretChange(existing?.webhookSecret, record.webhookSecret, webhookSecret !== undefined, !existing)],
    ['genesys integration', record.genesysIntegrationId ?? 'not set'],
    ['genesys secret', record.genesysWebhookSecret ? `set (${fingerprint(record.genesysWebhookSecret)})` : 'not set'],
  ]);
  if (!record.genesysIntegrationId) printer.line(`next: npm run cli -- genesys integration create --channel ${name}`);
  printer.line(`${record.genesysIntegrationId ? 'next' : 'then'}: npm run cli -- webhook set --channel ${name}`);
  // ChannelDirectory finds a new name on its first miss, and reloads every channel every 30 s (DataModule).
  if (existing) printer.line('note: running services pick up the new values within 30 s (they reload channels by themselves)');
}

async function verifyBotToken(context: CliContext, name: string, botToken: string): Promise<{ id: number; username?: string }> {
  const channel: OperatedChannel = { name, source: 'database' };
  return translateTelegramFailure(channel, 'getMe', () => context.telegram(botToken).getMe());
}

async function removeChannel(context: CliContext, nameArgument: string, options: z.infer<typeof RemoveOptions>): Promise<void> {
  const name = parseChannelName(nameArgument);
  if (isEnvironmentChannel(context, name)) {
    throw new CliError('channel "default" is defined by environment variables: the services re-create it at every start; unset TELEGRAM_BOT_TOKEN and the other credential variables instead');
  }
  if (!options.yes) throw new CliError(`refusing to remove channel "${name}" without --yes: its conversations and message log are deleted with it`);
  const repository = await context.channelRepository();
  const record = await repository.findByName(name);
  if (!record) throw new CliError(`no channel named "${name}"`);
  if (!options.keepWebhook) {
    const channel: OperatedChannel = { name, source: 'database' };
    try {
      // Otherwise Telegram keeps posting to a channel ingress no longer knows (404) for 24 h per update.
      await translateTelegramFailure(channel, 'deleteWebhook', () => context.telegram(record.botToken).deleteWebhook());
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      throw new CliError(`${error.message} (nothing removed; pass --keep-webhook to remove the channel anyway)`);
    }
  }
  await repository.remove(name);
  context.printer.line(`✓ channel "${name}" removed${options.keepWebhook ? ' (Telegram webhook left as it was)' : '; its Telegram webhook was deleted'}`);
}

async function rotateSecret(context: CliContext, nameArgument: string): Promise<void> {
  const name = parseChannelName(nameArgument);
  if (isEnvironmentChannel(context, name)) {
    throw new CliError(
      'channel "default" takes its secret from TELEGRAM_WEBHOOK_SECRET: set a new random value (1-256 of A-Za-z0-9_-), restart the services, then run `npm run cli -- webhook set`',
    );
  }
  const repository = await context.channelRepository();
  const record = await repository.findByName(name);
  if (!record) throw new CliError(`no channel named "${name}"`);
  // Checked before anything changes: a PUBLIC_BASE_URL Telegram would refuse must not leave a rotated secret behind.
  expectedWebhookUrl(context, name);
  const newSecret = generateTelegramWebhookSecret();
  // Stored first: if setWebhook then fails, `webhook set` retries with the stored secret; the other
  // order could leave Telegram sending a secret that exists nowhere.
  await repository.upsert({ ...record, webhookSecret: newSecret });
  context.printer.line(`✓ Telegram webhook secret of channel "${name}" rotated: ${fingerprint(record.webhookSecret)} → ${fingerprint(newSecret)} (stored encrypted)`);
  let url: string;
  try {
    ({ url } = await registerWebhook(context, { name, source: 'database' }, { botToken: record.botToken, webhookSecret: newSecret }));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(`${error.message}; the new secret is stored but Telegram still sends the old one — fix the cause, then run \`npm run cli -- webhook set --channel ${name}\``);
  }
  context.printer.line(`✓ webhook re-registered at ${url}: Telegram now sends the new secret`);
  context.printer.line('note: no restart needed: ingress reloads channels when a webhook carries a secret it does not know, so it accepts the new one at once');
}

function requireExisting(existing: ChannelRecord | undefined): ChannelRecord {
  if (!existing) throw new CliError('internal: no existing channel to update');
  return existing;
}

function describeSecretChange(before: string | undefined, after: string, given: boolean, generated = false): string {
  if (generated && !given) return `generated (${fingerprint(after)})`;
  if (before === undefined || before === after) return `${given ? 'set' : 'unchanged'} (${fingerprint(after)})`;
  return `replaced: ${fingerprint(before)} → ${fingerprint(after)}`;
}
