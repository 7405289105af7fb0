import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { TelegramBotApiClient } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';
import { METRICS } from './tokens.js';

/** What a client is made for: a channel's name and its current bot token. */
export interface BotChannel {
  readonly name: string;
  readonly botToken: string;
}

/** One Bot API client per channel, made again when the channel's token changed (`channel rotate`); for every service that calls Telegram. */
@Injectable()
export class TelegramBots {
  private readonly clients = new Map<string, { botToken: string; client: TelegramBotApiClient }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
  ) {}

  clientFor(channel: BotChannel): TelegramBotApiClient {
    const cached = this.clients.get(channel.name);
    if (cached?.botToken === channel.botToken) return cached.client;
    const client = new TelegramBotApiClient({
      apiBaseUrl: this.config.telegram.apiBaseUrl,
      botToken: channel.botToken,
      onRequest: (method, status, durationS) => this.metrics.telegramRequests.observe({ method, status: String(status) }, durationS),
    });
    this.clients.set(channel.name, { botToken: channel.botToken, client });
    return client;
  }
}
