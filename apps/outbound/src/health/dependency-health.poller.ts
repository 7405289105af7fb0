import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { ChannelDirectory } from '@tgg/data';
import type { GenesysTokenCache } from '@tgg/genesys';
import { GENESYS_TOKENS, LOGGER, type ReadinessCheck } from '@tgg/platform';
import { TelegramBots } from '../telegram-send/telegram-bots.js';
import { messageOf } from '../error-message.js';

const POLL_INTERVAL_MS = 3 * 60_000;

interface BotHealth {
  ok: boolean;
  message?: string;
}

/**
 * Calls getMe for every channel's bot and fetches the Genesys token at start and every few
 * minutes, so /health/ready answers from cached results (probes never call Telegram or Genesys)
 * and a revoked token shows up before the first reply fails on it.
 */
@Injectable()
export class DependencyHealthPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly bots = new Map<string, BotHealth>();
  private timer: NodeJS.Timeout | undefined;
  private tokenWasHealthy = true;

  constructor(
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(TelegramBots) private readonly telegram: TelegramBots,
    @Inject(GENESYS_TOKENS) private readonly tokens: GenesysTokenCache | undefined,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Every channel's last getMe: down if any bot's token failed, up (with a note) before the first check. */
  telegramCheck(): ReadinessCheck {
    return {
      name: 'telegram-getme',
      check: async () => {
        const channels = this.channels.all();
        if (channels.length === 0) return 'no channels configured';
        const failing = channels.flatMap((channel) => {
          const health = this.bots.get(channel.name);
          return health && !health.ok ? [`channel ${channel.name}: ${health.message ?? 'getMe failed'}`] : [];
        });
        if (failing.length > 0) throw new Error(failing.join('; '));
        return channels.every((channel) => this.bots.has(channel.name)) ? undefined : 'not checked yet';
      },
    };
  }

  async poll(): Promise<void> {
    await this.channels.reload().catch((error: unknown) => this.logger.warn({ err: { message: messageOf(error) } }, 'could not reload channels'));
    await Promise.all([...this.channels.all().map((channel) => this.checkBot(channel.name, () => this.telegram.clientFor(channel).getMe())), this.checkToken()]);
  }

  private async checkBot(channelName: string, getMe: () => Promise<{ username?: string | undefined }>): Promise<void> {
    const before = this.bots.get(channelName);
    try {
      const bot = await getMe();
      this.bots.set(channelName, { ok: true });
      if (before && !before.ok) this.logger.info({ channel: channelName, bot: bot.username }, 'Telegram getMe works again');
    } catch (error) {
      // Our errors name the method only, never the token-bearing URL.
      const message = messageOf(error);
      this.bots.set(channelName, { ok: false, message });
      if (!before || before.ok) this.logger.error({ channel: channelName, err: { message } }, 'Telegram getMe failed: replies to this channel cannot be sent');
    }
  }

  private async checkToken(): Promise<void> {
    if (!this.tokens) return;
    try {
      await this.tokens.token();
      if (!this.tokenWasHealthy) this.logger.info('Genesys token fetch works again');
      this.tokenWasHealthy = true;
    } catch (error) {
      // One line per change of state, not one per poll.
      if (this.tokenWasHealthy) this.logger.error({ err: { message: messageOf(error) } }, 'cannot get a Genesys token; receipts wait until it works');
      this.tokenWasHealthy = false;
    }
  }
}
