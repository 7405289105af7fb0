import { ALLOWED_UPDATES, BridgeError } from '@tgg/contracts';
import type { PrismaClient } from '@tgg/data';
import type { TelegramWebhookInfo } from '@tgg/telegram';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import type { CliConfig } from './cli-config.js';
import { findChannel, type OperatedChannel } from './channel-source.js';
import type { DoctorReport } from './doctor-report.js';
import { fetchOpenIntegration } from './genesys-integration.js';
import { telegramWebhookUrl } from './public-urls.js';
import { describeAge, translateTelegramFailure } from './telegram-webhook.js';

/** A delivery error this recent, with updates waiting, means Telegram cannot reach ingress now. */
const RECENT_ERROR_MS = 60 * 60 * 1000;

export async function checkGenesysToken(context: CliContext, config: CliConfig, report: DoctorReport): Promise<boolean> {
  const { clientId, clientSecret, loginBaseUrl } = config.app.genesys;
  if (!clientId || !clientSecret) {
    report.fail('GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET not set', 'create an OAuth client (client credentials grant) in Genesys Admin → OAuth and set both');
    return false;
  }
  try {
    await context.genesys().tokens.token();
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    report.fail(`Genesys token request to ${loginBaseUrl} failed: ${error.message}`, "check GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET and that GENESYS_LOGIN_BASE_URL is your region's login host");
    return false;
  }
  report.ok(`Genesys OAuth token fetched from ${loginBaseUrl}`);
  return true;
}

/** Env channel `default` (when the env defines it) and every channel in Postgres, in name order. */
export async function channelsToCheck(context: CliContext, config: CliConfig, prisma: PrismaClient | undefined, report: DoctorReport): Promise<OperatedChannel[]> {
  const channels: OperatedChannel[] = config.envChannel ? [{ ...config.envChannel, source: 'environment' }] : [];
  if (!prisma) {
    report.fail('channels in Postgres not checked: Postgres is unreachable');
    return channels;
  }
  const stored = await prisma.channel.findMany({ orderBy: { name: 'asc' }, select: { name: true } });
  for (const { name } of stored) {
    if (config.envChannel && name === 'default') continue; // the env version wins at every service start
    if (!config.encryptionKeySet) {
      report.fail(`channel "${name}" not checked: ENCRYPTION_KEY is not set`);
      continue;
    }
    try {
      const channel = await findChannel(context, name);
      if (channel) channels.push(channel);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      // SecretBox errors name key ids and the problem, never a value.
      report.fail(`channel "${name}": secrets cannot be decrypted (${error.message})`, 'set ENCRYPTION_KEY to the key the services use');
    }
  }
  if (channels.length === 0 && stored.length === 0) {
    report.fail('no channels', 'npm run cli -- channel add <name> --bot-token-env VAR, or set the credential variables for channel "default"');
  }
  return channels;
}

export async function checkChannel(context: CliContext, config: CliConfig, channel: OperatedChannel, genesysUsable: boolean, report: DoctorReport): Promise<void> {
  report.section(`Channel "${channel.name}" (${channel.source})`);
  const fix = fixesFor(channel);
  if (channel.botToken === undefined) {
    report.fail('no bot token', fix.botToken);
  } else if (await checkBot(context, channel, channel.botToken, report, fix.botToken)) {
    await checkWebhook(context, config, channel, channel.botToken, report, fix.webhook);
  }
  if (channel.webhookSecret === undefined) report.fail('no Telegram webhook secret', fix.webhookSecret);
  if (channel.genesysWebhookSecret === undefined) report.fail('no Genesys webhook signature secret: agent replies cannot be verified', fix.integration);
  if (channel.genesysIntegrationId === undefined) {
    report.fail('no Genesys integration', fix.integration);
  } else if (!genesysUsable) {
    report.fail(`Genesys integration ${channel.genesysIntegrationId} not checked: no Genesys token`);
  } else {
    await checkIntegration(context, channel.genesysIntegrationId, report);
  }
}

async function checkBot(context: CliContext, channel: OperatedChannel, botToken: string, report: DoctorReport, fix: string): Promise<boolean> {
  try {
    const bot = await context.telegram(botToken).getMe();
    report.ok(`bot token valid: @${bot.username ?? '?'} (id ${bot.id})`);
    return true;
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (error.code === 'telegram_unauthorized') report.fail(`bot token rejected by getMe (${error.message}): revoked in @BotFather?`, fix);
    else report.fail(`getMe failed: ${error.message}`, 'check TELEGRAM_API_BASE_URL and outbound network access to it');
    return false;
  }
}

async function checkWebhook(context: CliContext, config: CliConfig, channel: OperatedChannel, botToken: string, report: DoctorReport, fix: string): Promise<void> {
  let info: TelegramWebhookInfo;
  try {
    info = await translateTelegramFailure(channel, 'getWebhookInfo', () => context.telegram(botToken).getWebhookInfo());
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.fail(error.message);
    return;
  }
  const expected = expectedUrl(config, channel.name);
  const pending = info.pending_update_count ?? 0;
  if (!info.url) report.fail(`no webhook set: Telegram holds ${pending} update(s) for getUpdates`, fix);
  else if (expected !== undefined && info.url !== expected) report.fail(`webhook points to ${info.url}, expected ${expected}`, fix);
  else report.ok(`webhook ${info.url}, ${pending} pending update(s)`);

  if (info.last_error_message && info.last_error_date !== undefined) {
    const ageMs = context.now() - info.last_error_date * 1000;
    const text = `last delivery error "${info.last_error_message}" ${describeAge(ageMs)} ago`;
    const deliveryFix = 'make ingress reachable at PUBLIC_BASE_URL over HTTPS (check `npm run cli -- webhook info`); Telegram retries on its own';
    if (ageMs <= RECENT_ERROR_MS && pending > 0) report.fail(`${text}, ${pending} update(s) waiting`, deliveryFix);
    else if (ageMs <= RECENT_ERROR_MS) report.warn(text, deliveryFix);
    else report.ok(`no recent delivery error (${text})`);
  }
  const wanted = [...ALLOWED_UPDATES].sort().join(',');
  if (info.url && (info.allowed_updates ?? []).slice().sort().join(',') !== wanted) {
    report.warn(`allowed_updates is ${info.allowed_updates?.join(', ') ?? "Telegram's default"}, expected ${ALLOWED_UPDATES.join(', ')}`, fix);
  }
}

async function checkIntegration(context: CliContext, integrationId: string, report: DoctorReport): Promise<void> {
  try {
    const integration = await fetchOpenIntegration(context.genesys(), integrationId);
    const text = `Genesys integration ${integration.id} "${integration.name ?? '?'}": status ${integration.status ?? '?'}, createStatus ${integration.createStatus ?? '?'}`;
    if (integration.createStatus !== undefined && integration.createStatus !== 'Completed') report.fail(text, 'wait for Completed, or delete it in Genesys and create it again');
    else report.ok(text);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.fail(error.message, 'check the integration id (Admin → Message → Platforms)');
  }
}

function expectedUrl(config: CliConfig, channelName: string): string | undefined {
  try {
    return telegramWebhookUrl(config.app.http.publicBaseUrl, channelName);
  } catch {
    return undefined; // the configuration section already reported the bad PUBLIC_BASE_URL
  }
}

function fixesFor(channel: OperatedChannel): { botToken: string; webhookSecret: string; webhook: string; integration: string } {
  const env = channel.source === 'environment';
  return {
    botToken: env
      ? 'get the current token from @BotFather (/token) and set TELEGRAM_BOT_TOKEN'
      : `get the current token from @BotFather (/token), then npm run cli -- channel add ${channel.name} --bot-token-env VAR --update`,
    webhookSecret: env ? 'set TELEGRAM_WEBHOOK_SECRET' : `npm run cli -- channel rotate-secret ${channel.name}`,
    webhook: `npm run cli -- webhook set --channel ${channel.name}`,
    integration: env
      ? 'set GENESYS_WEBHOOK_SECRET, run `npm run cli -- genesys integration create`, then set GENESYS_INTEGRATION_ID'
      : `npm run cli -- genesys integration create --channel ${channel.name}`,
  };
}
