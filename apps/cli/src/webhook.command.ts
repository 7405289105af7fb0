import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from './cli-context.js';
import { channelCommand, parseOptions } from './command-options.js';
import type { Runner } from './command-runner.js';
import { requireChannel, requireField } from './channel-source.js';
import { fingerprint } from './secrets.js';
import { expectedWebhookUrl, registerWebhook, translateTelegramFailure, webhookInfoFields } from './telegram-webhook.js';

const ChannelOptions = z.object({ channel: z.string() });
const DeleteOptions = ChannelOptions.extend({ dropPendingUpdates: z.boolean().default(false) });

export function registerWebhookCommands(program: Command, run: Runner): void {
  const webhook = program.command('webhook').description("the channel's Telegram webhook (setWebhook / getWebhookInfo / deleteWebhook)");

  channelCommand(webhook, 'set', 'point Telegram at ${PUBLIC_BASE_URL}/telegram/webhook/<channel> with the channel secret and allowed_updates, then verify it')
    .action((options: unknown) => run((context) => setWebhook(context, parseOptions(ChannelOptions, options))));

  channelCommand(webhook, 'info', "print Telegram's getWebhookInfo: url, pending updates, last delivery error")
    .action((options: unknown) => run((context) => showWebhook(context, parseOptions(ChannelOptions, options))));

  channelCommand(webhook, 'delete', 'remove the webhook; pending updates stay at Telegram (24 h) unless --drop-pending-updates')
    .option('--drop-pending-updates', "also discard the updates Telegram holds — customers' messages are lost")
    .action((options: unknown) => run((context) => deleteWebhook(context, parseOptions(DeleteOptions, options))));
}

async function setWebhook(context: CliContext, options: z.infer<typeof ChannelOptions>): Promise<void> {
  const channel = await requireChannel(context, options.channel);
  const botToken = requireField(channel, 'botToken', `npm run cli -- channel add ${channel.name} --bot-token-env VAR --update`);
  const webhookSecret = requireField(channel, 'webhookSecret', `npm run cli -- channel rotate-secret ${channel.name}`);
  const { url, info } = await registerWebhook(context, channel, { botToken, webhookSecret });
  context.printer.line(`✓ webhook of channel "${channel.name}" set to ${url}`);
  context.printer.fields([['secret token', `set (${fingerprint(webhookSecret)})`], ...webhookInfoFields(info, url, context.now())]);
}

async function showWebhook(context: CliContext, options: z.infer<typeof ChannelOptions>): Promise<void> {
  const channel = await requireChannel(context, options.channel);
  const botToken = requireField(channel, 'botToken', `npm run cli -- channel add ${channel.name} --bot-token-env VAR --update`);
  const info = await translateTelegramFailure(channel, 'getWebhookInfo', () => context.telegram(botToken).getWebhookInfo());
  context.printer.line(`webhook of channel "${channel.name}" (${channel.source})`);
  context.printer.fields(webhookInfoFields(info, expectedWebhookUrlOrUndefined(context, channel.name), context.now()));
}

async function deleteWebhook(context: CliContext, options: z.infer<typeof DeleteOptions>): Promise<void> {
  const channel = await requireChannel(context, options.channel);
  const botToken = requireField(channel, 'botToken', `npm run cli -- channel add ${channel.name} --bot-token-env VAR --update`);
  const telegram = context.telegram(botToken);
  const before = await translateTelegramFailure(channel, 'getWebhookInfo', () => telegram.getWebhookInfo());
  await translateTelegramFailure(channel, 'deleteWebhook', () =>
    telegram.deleteWebhook(options.dropPendingUpdates ? { drop_pending_updates: true } : {}),
  );
  const pending = before.pending_update_count ?? 0;
  context.printer.line(`✓ webhook of channel "${channel.name}" deleted (was ${before.url || 'not set'})`);
  context.printer.line(
    options.dropPendingUpdates
      ? `  ${pending} pending update(s) dropped at Telegram`
      : `  ${pending} pending update(s) kept at Telegram (up to 24 h); \`webhook set\` delivers them`,
  );
}

/** `webhook info` must work even when PUBLIC_BASE_URL is wrong: that is when an operator looks. */
function expectedWebhookUrlOrUndefined(context: CliContext, channelName: string): string | undefined {
  try {
    return expectedWebhookUrl(context, channelName);
  } catch {
    return undefined; // doctor and `webhook set` report the bad PUBLIC_BASE_URL itself
  }
}
