import type { DependencyStatus } from '@tgg/service-runtime';

/** A delivery error this recent, with updates still waiting, means Telegram cannot reach us now. */
export const RECENT_WEBHOOK_ERROR_S = 10 * 60;

export interface WebhookInfoSummary {
  url: string;
  pending_update_count?: number | undefined;
  last_error_date?: number | undefined;
  last_error_message?: string | undefined;
}

/**
 * What getWebhookInfo says about one channel's webhook: down when it is not registered, points
 * somewhere else (another deployment took the bot), or Telegram failed to deliver recently and
 * updates are piling up. The URL itself is not repeated (it names no secret, but says nothing new).
 */
export function webhookStatus(channel: string, info: WebhookInfoSummary, expectedUrl: string, nowS: number): DependencyStatus {
  const base = { dependency: 'telegram-webhook', channel } as const;
  const pending = info.pending_update_count ?? 0;
  if (info.url === '') return { ...base, state: 'down', detail: `no webhook registered: run \`npm run cli -- webhook set --channel ${channel}\`` };
  if (info.url !== expectedUrl) return { ...base, state: 'down', detail: `the webhook is registered for another URL than ${expectedUrl}` };
  const errorAgeS = info.last_error_date === undefined ? undefined : nowS - info.last_error_date;
  if (errorAgeS !== undefined && errorAgeS <= RECENT_WEBHOOK_ERROR_S && pending > 0) {
    return { ...base, state: 'down', detail: `Telegram's last delivery failed ${errorAgeS} s ago (${(info.last_error_message ?? 'no message').slice(0, 120)}); ${pending} update(s) pending` };
  }
  return { ...base, state: 'up', detail: `${pending} update(s) pending` };
}
