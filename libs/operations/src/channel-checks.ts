import { ALLOWED_UPDATES, BridgeError } from '@tgg/contracts';
import type { OpenMessagingClient } from '@tgg/genesys';
import type { TelegramBotApiClient, TelegramWebhookInfo } from '@tgg/telegram';
import { z } from 'zod';

/**
 * The per-channel health checks of `npm run cli -- doctor`, shared with the ops console: the bot
 * token (getMe), the webhook (getWebhookInfo, incl. Telegram's last delivery error) and the Genesys
 * Open Messaging integration. Each verdict goes to a CheckReport with the fix an operator applies;
 * texts name channels, URLs and ids, never a secret (Bot API errors carry Telegram's description only).
 */

/**
 * A channel as the operator sees it. Channel `default` belongs to the environment when any of its
 * variables is set (the services rewrite its row from the env at every start); every other channel
 * lives in Postgres and is managed by `channel add`.
 */
export interface ChannelCredentials {
  name: string;
  source: 'environment' | 'database';
  botToken?: string;
  webhookSecret?: string;
  genesysIntegrationId?: string;
  genesysWebhookSecret?: string;
}

/** Where verdicts go: doctor prints them as they come, the console collects them per channel. */
export interface CheckReport {
  section(title: string): void;
  ok(text: string): void;
  warn(text: string, fix?: string): void;
  fail(text: string, fix?: string): void;
}

export interface ChannelCheckDeps {
  telegram(botToken: string): Pick<TelegramBotApiClient, 'getMe' | 'getWebhookInfo'>;
  /** The Open Messaging client; called only when a Genesys token could be fetched. */
  openMessaging(): Pick<OpenMessagingClient, 'getIntegration'>;
  now(): number;
  /** Where the channel's webhook should point (`${PUBLIC_BASE_URL}/telegram/webhook/<name>`); undefined when PUBLIC_BASE_URL cannot take webhooks. */
  expectedWebhookUrl(channelName: string): string | undefined;
}

/** The parts of OpenIntegration we read (https://developer.genesys.cloud/commdigital/digital/openmessaging/); Genesys adds fields freely. */
export const OpenIntegration = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  outboundNotificationWebhookUrl: z.string().optional(),
  status: z.string().optional(),
  createStatus: z.string().optional(),
  createError: z.looseObject({ message: z.string().optional(), code: z.string().optional() }).optional(),
  recipient: z.looseObject({ id: z.string() }).optional(),
  dateCreated: z.string().optional(),
});
export type OpenIntegration = z.infer<typeof OpenIntegration>;

/** Whether a Genesys OAuth token can be fetched (`tokens` undefined: no client configured); the integration checks need one. */
export async function checkGenesysToken(tokens: { token(): Promise<unknown> } | undefined, loginBaseUrl: string, report: CheckReport): Promise<boolean> {
  if (!tokens) {
    report.fail('GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET not set', 'create an OAuth client (client credentials grant) in Genesys Admin → OAuth and set both');
    return false;
  }
  try {
    await tokens.token();
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    report.fail(`Genesys token request to ${loginBaseUrl} failed: ${error.message}`, "check GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET and that GENESYS_LOGIN_BASE_URL is your region's login host");
    return false;
  }
  report.ok(`Genesys OAuth token fetched from ${loginBaseUrl}`);
  return true;
}

/** A delivery error this recent, with updates waiting, means Telegram cannot reach ingress now. */
const RECENT_ERROR_MS = 60 * 60 * 1000;

export async function checkChannel(deps: ChannelCheckDeps, channel: ChannelCredentials, genesysUsable: boolean, report: CheckReport): Promise<void> {
  report.section(`Channel "${channel.name}" (${channel.source})`);
  const fix = fixesFor(channel);
  if (channel.botToken === undefined) {
    report.fail('no bot token', fix.botToken);
  } else if (await checkBot(deps, channel.botToken, report, fix.botToken)) {
    await checkWebhook(deps, channel, channel.botToken, report, fix.webhook);
  }
  if (channel.webhookSecret === undefined) report.fail('no Telegram webhook secret', fix.webhookSecret);
  if (channel.genesysWebhookSecret === undefined) report.fail('no Genesys webhook signature secret: agent replies cannot be verified', fix.integration);
  if (channel.genesysIntegrationId === undefined) {
    report.fail('no Genesys integration', fix.integration);
  } else if (!genesysUsable) {
    report.fail(`Genesys integration ${channel.genesysIntegrationId} not checked: no Genesys token`);
  } else {
    await checkIntegration(deps, channel.genesysIntegrationId, report);
  }
}

async function checkBot(deps: ChannelCheckDeps, botToken: string, report: CheckReport, fix: string): Promise<boolean> {
  try {
    const bot = await deps.telegram(botToken).getMe();
    report.ok(`bot token valid: @${bot.username ?? '?'} (id ${bot.id})`);
    return true;
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    if (error.code === 'telegram_unauthorized') report.fail(`bot token rejected by getMe (${error.message}): revoked in @BotFather?`, fix);
    else report.fail(`getMe failed: ${error.message}`, 'check TELEGRAM_API_BASE_URL and outbound network access to it');
    return false;
  }
}

async function checkWebhook(deps: ChannelCheckDeps, channel: ChannelCredentials, botToken: string, report: CheckReport, fix: string): Promise<void> {
  let info: TelegramWebhookInfo;
  try {
    info = await deps.telegram(botToken).getWebhookInfo();
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    report.fail(telegramFailureText(channel, 'getWebhookInfo', error));
    return;
  }
  const expected = deps.expectedWebhookUrl(channel.name);
  const pending = info.pending_update_count ?? 0;
  if (!info.url) report.fail(`no webhook set: Telegram holds ${pending} update(s) for getUpdates`, fix);
  else if (expected !== undefined && info.url !== expected) report.fail(`webhook points to ${info.url}, expected ${expected}`, fix);
  else report.ok(`webhook ${info.url}, ${pending} pending update(s)`);

  if (info.last_error_message && info.last_error_date !== undefined) {
    const ageMs = deps.now() - info.last_error_date * 1000;
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

async function checkIntegration(deps: ChannelCheckDeps, integrationId: string, report: CheckReport): Promise<void> {
  let body: unknown;
  try {
    body = await deps.openMessaging().getIntegration(integrationId);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    report.fail(genesysFailureText(`reading integration ${integrationId}`, error), 'check the integration id (Admin → Message → Platforms)');
    return;
  }
  const parsed = OpenIntegration.safeParse(body);
  if (!parsed.success) {
    report.fail(integrationShapeText('get'), 'check the integration id (Admin → Message → Platforms)');
    return;
  }
  const integration = parsed.data;
  const text = `Genesys integration ${integration.id} "${integration.name ?? '?'}": status ${integration.status ?? '?'}, createStatus ${integration.createStatus ?? '?'}`;
  if (integration.createStatus !== undefined && integration.createStatus !== 'Completed') report.fail(text, 'wait for Completed, or delete it in Genesys and create it again');
  else report.ok(text);
}

/** A Bot API failure as one line naming the channel and what to do. */
export function telegramFailureText(channel: ChannelCredentials, method: string, error: BridgeError): string {
  return `${method} for channel "${channel.name}" failed: ${error.message}${telegramHint(error, channel)}`;
}

function telegramHint(error: BridgeError, channel: ChannelCredentials): string {
  if (error.code === 'telegram_unauthorized') {
    const update = channel.source === 'environment' ? 'set TELEGRAM_BOT_TOKEN' : `npm run cli -- channel add ${channel.name} --bot-token-env VAR --update`;
    return ` — the bot token was rejected (revoked in @BotFather?): get the current one from @BotFather (/token) and ${update}`;
  }
  if (error.code === 'telegram_unreachable' || error.code === 'telegram_timeout') return ' — check TELEGRAM_API_BASE_URL and outbound network access';
  return '';
}

/** A Genesys failure as one line; client errors carry status and contextId only (never our request body, which may hold a secret). */
export function genesysFailureText(what: string, error: BridgeError): string {
  const hint = /token|unauthorized/.test(error.code)
    ? ' — check GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET and that GENESYS_LOGIN_BASE_URL is your region'
    : /_403$|forbidden/i.test(`${error.code} ${error.message}`)
      ? ' — the OAuth client needs the messaging:integration permissions'
      : '';
  return `${what} failed: ${error.message}${hint}`;
}

export function integrationShapeText(operation: string): string {
  return `Genesys answered the integration ${operation} without an integration id (is GENESYS_API_BASE_URL the API host of your region?)`;
}

export function describeAge(ageMs: number): string {
  const seconds = Math.max(0, Math.round(ageMs / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function fixesFor(channel: ChannelCredentials): { botToken: string; webhookSecret: string; webhook: string; integration: string } {
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
