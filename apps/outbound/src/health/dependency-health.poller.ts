import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ChannelDirectory } from '@tgg/data';
import { LOGGER, safeDetail, type DependencySource, type DependencyStatus, TelegramBots } from '@tgg/service-runtime';
import { messageOf } from '../error-message.js';
import { webhookStatus } from './webhook-state.js';

const POLL_INTERVAL_MS = 3 * 60_000;

interface ChannelHealth {
  getMe?: DependencyStatus;
  webhook?: DependencyStatus;
}

/**
 * Calls getMe and getWebhookInfo for every channel's bot at start and every few minutes, so
 * /health/dependencies answers from cached results (a request never calls Telegram) and a revoked
 * bot token shows up before the first reply fails on it. None of this gates readiness: one bad bot
 * must not take the other channels' webhooks out of service. It needs no timer of its own: the
 * DependencyMonitor reads its source every few seconds, and a read finding the results older than
 * the poll interval starts a poll in the background (the monitor gives a source 2 s; a poll of
 * many bots may take longer). (The Genesys token has its one poller in @tgg/genesys.)
 */
@Injectable()
export class DependencyHealthPoller {
  private readonly channelHealth = new Map<string, ChannelHealth>();
  private lastPollStartedAtMs: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(TelegramBots) private readonly telegram: TelegramBots,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Per channel: the last getMe (`telegram-getme`) and webhook state (`telegram-webhook`); unknown before the first poll. */
  channelsSource(): DependencySource {
    return {
      name: 'telegram',
      statuses: async () => {
        this.pollIfStale();
        return this.channels.all().flatMap((channel) => {
          const health = this.channelHealth.get(channel.name);
          return [
            health?.getMe ?? { dependency: 'telegram-getme', channel: channel.name, state: 'unknown', detail: 'not checked yet' },
            health?.webhook ?? { dependency: 'telegram-webhook', channel: channel.name, state: 'unknown', detail: 'not checked yet' },
          ];
        });
      },
    };
  }

  /** Starts a poll when none ran in the last POLL_INTERVAL_MS; one at a time. */
  private pollIfStale(nowMs = Date.now()): void {
    if (this.lastPollStartedAtMs !== undefined && nowMs - this.lastPollStartedAtMs < POLL_INTERVAL_MS) return;
    this.lastPollStartedAtMs = nowMs;
    this.poll().catch((error: unknown) => this.logger.warn({ err: { message: messageOf(error) } }, 'checking the bots failed'));
  }

  async poll(): Promise<void> {
    await this.channels.reload().catch((error: unknown) => this.logger.warn({ err: { message: messageOf(error) } }, 'could not reload channels'));
    const channels = this.channels.all();
    for (const name of this.channelHealth.keys()) if (!channels.some((channel) => channel.name === name)) this.channelHealth.delete(name);
    await Promise.all(channels.map(async (channel) => this.checkBot(channel.name, this.telegram.clientFor(channel))));
  }

  private async checkBot(channelName: string, bot: ReturnType<TelegramBots['clientFor']>): Promise<void> {
    const before = this.channelHealth.get(channelName)?.getMe;
    const health: ChannelHealth = {};
    try {
      const me = await bot.getMe();
      health.getMe = { dependency: 'telegram-getme', channel: channelName, state: 'up' };
      if (before?.state === 'down') this.logger.info({ channel: channelName, bot: me.username }, 'Telegram getMe works again');
    } catch (error) {
      // Our errors name the method only, never the token-bearing URL.
      const detail = safeDetail(error);
      health.getMe = { dependency: 'telegram-getme', channel: channelName, state: 'down', detail };
      if (before?.state !== 'down') this.logger.error({ channel: channelName, err: { message: detail } }, 'Telegram getMe failed: replies to this channel cannot be sent');
    }
    try {
      health.webhook = webhookStatus(channelName, await bot.getWebhookInfo(), this.expectedWebhookUrl(channelName), Math.floor(Date.now() / 1000));
    } catch (error) {
      health.webhook = { dependency: 'telegram-webhook', channel: channelName, state: 'down', detail: `getWebhookInfo failed: ${safeDetail(error)}` };
    }
    this.channelHealth.set(channelName, health);
  }

  /** As `npm run cli -- webhook set` registers it: the origin (default port dropped) and path of PUBLIC_BASE_URL. */
  private expectedWebhookUrl(channelName: string): string {
    const base = new URL(this.config.http.publicBaseUrl);
    return `${base.origin}${base.pathname.replace(/\/+$/, '')}/telegram/webhook/${channelName}`;
  }
}
