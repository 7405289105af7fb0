import { ChatTurnStore, TURN_PIPELINES } from '@tgg/chat-turns';
import type { AppConfig } from '@tgg/config';
import type { ChannelRepository, ConversationRepository } from '@tgg/data';
import type { GenesysTokenCache, OpenMessagingClient } from '@tgg/genesys';
import { checkChannel, checkGenesysToken, type ChannelCredentials, type CheckReport, type DeadLetters } from '@tgg/operations';
import { TelegramBotApiClient } from '@tgg/telegram';
import type { Redis } from 'ioredis';
import type { CheckLine, CheckSection, HeldChats, OverviewData } from './ops-pages.js';

/** How many rows each table of the bridge view shows at most (the CLI and Bull Board page through the rest). */
const ROWS = { heldChats: 100, blocked: 100, deadLettersPerQueue: 50 } as const;

export interface OverviewSources {
  config: AppConfig;
  redis: Redis;
  channels: ChannelRepository;
  conversations: ConversationRepository;
  tokens: GenesysTokenCache | undefined;
  openMessaging: OpenMessagingClient | undefined;
  deadLetters: DeadLetters;
}

/** Collects the check verdicts per section, as doctor would print them. */
class CollectingReport implements CheckReport {
  readonly sections: CheckSection[] = [];

  section(title: string): void {
    this.sections.push({ title, lines: [] });
  }

  ok(text: string): void {
    this.add({ level: 'ok', text });
  }

  warn(text: string, fix?: string): void {
    this.add({ level: 'warn', text, ...(fix === undefined ? {} : { fix }) });
  }

  fail(text: string, fix?: string): void {
    this.add({ level: 'fail', text, ...(fix === undefined ? {} : { fix }) });
  }

  private add(line: CheckLine): void {
    if (this.sections.length === 0) this.section('Checks');
    this.sections.at(-1)?.lines.push(line);
  }
}

/** What the bridge view shows, read live on every page load; one failing source is shown as such and hides nothing else. */
export class OpsOverview {
  private readonly turnStores: { pipeline: HeldChats['pipeline']; store: ChatTurnStore }[];

  constructor(private readonly sources: OverviewSources) {
    const { redis, config } = sources;
    this.turnStores = (['inbound', 'outbound'] as const).map((pipeline) => ({
      pipeline,
      store: new ChatTurnStore(redis, config.redis.queuePrefix, { namespace: TURN_PIPELINES[pipeline].namespace }),
    }));
  }

  async read(nowMs: number): Promise<Omit<OverviewData, 'actor' | 'csrf'>> {
    const [health, held, blocked, deadLetters] = await Promise.all([
      this.health(nowMs),
      Promise.all(this.turnStores.map(async ({ pipeline, store }) => ({ pipeline, chats: await store.heldChats(ROWS.heldChats) }))),
      this.sources.conversations.listBlocked(ROWS.blocked),
      this.sources.deadLetters.list({ limit: ROWS.deadLettersPerQueue }),
    ]);
    const grafanaUrl = this.sources.config.telemetry.grafanaUrl;
    return { nowMs, health, held, blocked, deadLetters, ...(grafanaUrl === undefined ? {} : { grafanaUrl }) };
  }

  /** doctor's Genesys and per-channel checks (@tgg/operations) against the channels this service has loaded. */
  private async health(nowMs: number): Promise<CheckSection[]> {
    const { config, tokens, openMessaging } = this.sources;
    const report = new CollectingReport();
    report.section('Genesys Cloud');
    const genesysUsable = await checkGenesysToken(tokens, config.genesys.loginBaseUrl, report);
    let channels: ChannelCredentials[];
    try {
      channels = await this.channels(report);
    } catch (error) {
      report.fail(`channels not checked: Postgres: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return report.sections;
    }
    const deps = {
      telegram: (botToken: string) => new TelegramBotApiClient({ apiBaseUrl: config.telegram.apiBaseUrl, botToken }),
      openMessaging: () => {
        if (!openMessaging) throw new Error('no Genesys client'); // checkChannel asks only when genesysUsable, which needs the client
        return openMessaging;
      },
      now: () => nowMs,
      expectedWebhookUrl: (name: string) => `${config.http.publicBaseUrl}/telegram/webhook/${encodeURIComponent(name)}`,
    };
    for (const channel of channels) await checkChannel(deps, channel, genesysUsable, report);
    return report.sections;
  }

  private async channels(report: CollectingReport): Promise<ChannelCredentials[]> {
    const { channels, unreadable } = await this.sources.channels.listReadable();
    for (const channel of unreadable) report.fail(`channel "${channel.name}": secrets cannot be decrypted (${channel.reason})`, 'set ENCRYPTION_KEY (and ENCRYPTION_KEY_PREVIOUS) to the keys that wrote it');
    if (channels.length === 0 && unreadable.length === 0) report.fail('no channels', 'npm run cli -- channel add <name> --bot-token-env VAR, or set the credential variables for channel "default"');
    const envOwned = this.sources.config.defaultChannel !== undefined;
    return channels.map((record) => ({
      name: record.name,
      source: envOwned && record.name === 'default' ? 'environment' : 'database',
      botToken: record.botToken,
      webhookSecret: record.webhookSecret,
      ...(record.genesysIntegrationId === null ? {} : { genesysIntegrationId: record.genesysIntegrationId }),
      ...(record.genesysWebhookSecret === null ? {} : { genesysWebhookSecret: record.genesysWebhookSecret }),
    }));
  }
}
