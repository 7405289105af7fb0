import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import type { ChannelRecord } from '@tgg/data';
import { METRICS } from '@tgg/service-runtime';
import { TelegramBotApiClient } from '@tgg/telegram';
import type { BridgeMetrics } from '@tgg/telemetry';

/** One Bot API client per channel, made again when the channel's token changed (`channel rotate`). */
@Injectable()
export class TelegramBots {
  private readonly clients = new Map<string, { botToken: string; client: TelegramBotApiClient }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
  ) {}

  clientFor(channel: ChannelRecord): TelegramBotApiClient {
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
