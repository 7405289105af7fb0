import { badRequest, ok, stringParam, type BotApiReply, type BotMethod } from './bot-api-reply.js';
import type { WebhookState } from './telegram-state.js';

const DEFAULT_MAX_CONNECTIONS = 40;

/** WebhookInfo as getWebhookInfo returns it (https://core.telegram.org/bots/api#getwebhookinfo). */
export function webhookInfoOf(webhook: WebhookState): Record<string, unknown> {
  return {
    url: webhook.url,
    has_custom_certificate: false,
    // The emulator delivers updates only when told to, so nothing is ever waiting.
    pending_update_count: 0,
    ...(webhook.url && webhook.maxConnections !== undefined ? { max_connections: webhook.maxConnections } : {}),
    ...(webhook.allowedUpdates ? { allowed_updates: webhook.allowedUpdates } : {}),
    ...(webhook.lastErrorDateS !== undefined ? { last_error_date: webhook.lastErrorDateS } : {}),
    ...(webhook.lastErrorMessage !== undefined ? { last_error_message: webhook.lastErrorMessage } : {}),
  };
}

/** `allowed_updates` arrives as an array in JSON bodies and as a JSON string in form bodies. */
function parseAllowedUpdates(value: unknown): string[] | undefined | { error: BotApiReply } {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { error: badRequest("can't parse allowed updates JSON object") };
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((entry): entry is string => typeof entry === 'string')) {
    return { error: badRequest("can't parse allowed updates JSON object") };
  }
  return parsed;
}

function sameSettings(current: WebhookState, next: WebhookState): boolean {
  return (
    current.url === next.url &&
    current.secretToken === next.secretToken &&
    current.maxConnections === next.maxConnections &&
    JSON.stringify(current.allowedUpdates) === JSON.stringify(next.allowedUpdates)
  );
}

export const setWebhook: BotMethod = (call) => {
  const { bot, params } = call;
  const url = stringParam(params, 'url') ?? '';
  if (url === '') return deleteWebhook(call);
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    return badRequest('bad webhook: Failed to resolve host: Name or service not known');
  }
  // Real Telegram insists on HTTPS and four ports; the emulator must reach local http receivers.
  if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') {
    return badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  }

  const secretToken = stringParam(params, 'secret_token');
  if (secretToken !== undefined && secretToken.length > 256) return badRequest('secret token is too long');
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]*$/.test(secretToken)) return badRequest('secret token contains unallowed characters');

  const allowedUpdates = parseAllowedUpdates(params['allowed_updates']);
  if (allowedUpdates && 'error' in allowedUpdates) return allowedUpdates.error;
  // The server clamps max_connections to 1..100 rather than refusing it (https://core.telegram.org/bots/api#setwebhook; telegram-bot-api.cpp in https://github.com/tdlib/telegram-bot-api).
  const requestedMaxConnections = Number(stringParam(params, 'max_connections') ?? DEFAULT_MAX_CONNECTIONS);
  const maxConnections = Number.isFinite(requestedMaxConnections)
    ? Math.min(100, Math.max(1, Math.trunc(requestedMaxConnections)))
    : DEFAULT_MAX_CONNECTIONS;

  // Omitted allowed_updates keeps the previous setting (https://core.telegram.org/bots/api#setwebhook).
  const keptAllowedUpdates = allowedUpdates ?? bot.webhook.allowedUpdates;
  const next: WebhookState = {
    url,
    maxConnections,
    ...(secretToken ? { secretToken } : {}),
    ...(keptAllowedUpdates ? { allowedUpdates: keptAllowedUpdates } : {}),
  };
  if (sameSettings(bot.webhook, next)) return ok(true, 'Webhook is already set');
  // Re-setting the webhook is what clears last_error_* on the real server.
  bot.webhook = next;
  return ok(true, 'Webhook was set');
};

export const deleteWebhook: BotMethod = ({ bot }) => {
  if (bot.webhook.url === '') return ok(true, 'Webhook is already deleted');
  bot.webhook = { url: '' };
  return ok(true, 'Webhook was deleted');
};

export const getWebhookInfo: BotMethod = ({ bot }) => ok(webhookInfoOf(bot.webhook));
