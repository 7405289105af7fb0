import { BridgeError, ALLOWED_UPDATES } from '@tgg/contracts';
import { describeAge, telegramFailureText } from '@tgg/operations';
import type { TelegramWebhookInfo } from '@tgg/telegram';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import type { OperatedChannel } from './channel-source.js';
import { telegramWebhookUrl } from './public-urls.js';

/**
 * setWebhook + getWebhookInfo for one channel, shared by `webhook set` and `channel rotate-secret`.
 * The TelegramBotApiClient builds the `/bot<token>/…` URL in one place and its errors carry
 * Telegram's description only, so nothing printed here can hold the token.
 */

export function expectedWebhookUrl(context: CliContext, channelName: string): string {
  return telegramWebhookUrl(context.config().app.http.publicBaseUrl, channelName);
}

/** Registers url + secret_token + allowed_updates, then reads the webhook back; throws when Telegram reports another URL. */
export async function registerWebhook(
  context: CliContext,
  channel: OperatedChannel,
  credentials: { botToken: string; webhookSecret: string },
): Promise<{ url: string; info: TelegramWebhookInfo }> {
  const url = expectedWebhookUrl(context, channel.name);
  const telegram = context.telegram(credentials.botToken);
  await translateTelegramFailure(channel, 'setWebhook', () =>
    // drop_pending_updates is never sent: it would discard customers' messages waiting at Telegram.
    telegram.setWebhook({ url, secret_token: credentials.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] }),
  );
  const info = await translateTelegramFailure(channel, 'getWebhookInfo', () => telegram.getWebhookInfo());
  if (info.url !== url) {
    throw new CliError(`Telegram reports the webhook of channel "${channel.name}" as ${info.url || '(none)'} right after setWebhook with ${url}`);
  }
  return { url, info };
}

/** Bot API errors → one line naming the channel and what to do; anything else propagates. */
export async function translateTelegramFailure<T>(channel: OperatedChannel, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    throw new CliError(telegramFailureText(channel, method, error));
  }
}

/** getWebhookInfo as label/value pairs (https://core.telegram.org/bots/api#getwebhookinfo). */
export function webhookInfoFields(info: TelegramWebhookInfo, expectedUrl: string | undefined, nowMs: number): [string, string][] {
  const urlNote = !info.url ? ' (none: Telegram keeps updates for getUpdates; run `webhook set`)' : expectedUrl === undefined || info.url === expectedUrl ? '' : ` (expected ${expectedUrl})`;
  const fields: [string, string][] = [
    ['url', `${info.url || '-'}${urlNote}`],
    ['pending updates', String(info.pending_update_count ?? 0)],
    ['last delivery error', describeLastError(info, nowMs)],
    // Telegram omits allowed_updates when it is its default set (every kind but a few).
    ['allowed updates', info.allowed_updates ? info.allowed_updates.join(', ') : '(Telegram default)'],
  ];
  if (info.max_connections !== undefined) fields.push(['max connections', String(info.max_connections)]);
  if (typeof info['ip_address'] === 'string') fields.push(['ip address', info['ip_address']]);
  return fields;
}

/** Telegram never clears last_error_* after a success (only a new setWebhook does), so its age matters. */
export function describeLastError(info: TelegramWebhookInfo, nowMs: number): string {
  if (!info.last_error_message) return 'none';
  if (info.last_error_date === undefined) return `"${info.last_error_message}"`;
  const at = new Date(info.last_error_date * 1000);
  return `"${info.last_error_message}" at ${at.toISOString()} (${describeAge(nowMs - at.getTime())} ago)`;
}
