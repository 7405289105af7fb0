import { Body, Controller, Headers, HttpCode, Inject, Ip, Param, Post } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { UpdateEnvelope } from '@tgg/contracts';
import { ChannelDirectory } from '@tgg/data';
import { ApiError, LOGGER, MAX_JSON_NESTING, METRICS, readJsonBody } from '@tgg/service-runtime';
import { injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { CidrAllowlist } from './cidr-allowlist.js';
import { isValidTelegramSecret } from './secret-token.js';
import { TELEGRAM_UPDATES, type TelegramUpdatesIntake } from './telegram-updates.producer.js';
import { ButtonTaps } from './button-taps.js';

const FORWARDED_KINDS = ['message', 'edited_message', 'my_chat_member'] as const;
/** Taps take their own path (ButtonTaps): only those on the bridge's keyboards are forwarded. */
const TAP_KIND = 'callback_query';
/**
 * The Bot API's other update kinds: the `reason` label of an ignored update is one of these,
 * `unknown` or `empty`, never a key the body invented (each would be a new metric series, kept
 * for the life of the process).
 */
const IGNORED_KINDS = new Set([
  'channel_post',
  'edited_channel_post',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'message_reaction',
  'message_reaction_count',
  'inline_query',
  'chosen_inline_result',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
]);

@Controller('telegram/webhook')
export class TelegramWebhookController {
  private readonly allowlist: CidrAllowlist;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(TELEGRAM_UPDATES) private readonly updates: TelegramUpdatesIntake,
    @Inject(ButtonTaps) private readonly taps: ButtonTaps,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.allowlist = new CidrAllowlist(config.telegram.allowedCidrs);
  }

  /**
   * Checks are ordered cheapest-first and nothing is parsed before the secret matched. Telegram
   * re-sends a webhook we don't acknowledge, so 200 comes only after Redis holds the job; answering
   * first would lose the update if Redis then failed.
   */
  @Post(':channel')
  @HttpCode(200)
  async receiveUpdate(
    @Param('channel') channelName: string,
    @Headers('x-telegram-bot-api-secret-token') secretToken: string | undefined,
    @Ip() ip: string,
    @Body() rawBody: unknown,
  ): Promise<{ ok: true }> {
    const receivedAtMs = Date.now();
    if (!this.allowlist.allows(ip)) throw this.reject(403, 'forbidden_source', 'source address is not in TELEGRAM_ALLOWED_CIDRS');
    const channel = await this.channels.get(channelName);
    if (!channel) throw this.reject(404, 'unknown_channel', 'no such channel');
    if (!isValidTelegramSecret(secretToken, channel.webhookSecret) && !(await this.matchesRotatedSecret(channelName, secretToken))) {
      throw this.reject(401, 'bad_secret', 'missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }

    const update = parseEnvelope(rawBody);
    if (update === 'not-json') throw this.reject(400, 'invalid_json', 'body is not JSON');
    if (update === 'too-deep') throw this.reject(400, 'nested_too_deep', `body nests deeper than ${MAX_JSON_NESTING} levels`);
    if (update === 'not-update') throw this.reject(400, 'not_an_update', 'body is not a Telegram Update (integer update_id required)');

    if (TAP_KIND in update && !FORWARDED_KINDS.some((kind) => kind in update)) {
      await this.taps.receive(channel, update, receivedAtMs);
      return { ok: true };
    }
    if (!FORWARDED_KINDS.some((kind) => kind in update)) {
      const reason = Object.keys(update).find((key) => IGNORED_KINDS.has(key)) ?? (Object.keys(update).length > 1 ? 'unknown' : 'empty');
      this.metrics.updates.inc({ outcome: 'ignored', reason });
      this.logger.debug({ channel: channelName, updateId: update.update_id }, 'update kind not forwarded');
      return { ok: true };
    }

    await this.updates.enqueueOrAskToRetry(
      { channel: channelName, update, receivedAtMs, trace: injectTraceCarrier() },
      { counter: this.metrics.updates, logger: this.logger, fields: { channel: channelName, updateId: update.update_id }, noun: 'update' },
    );
    return { ok: true };
  }

  /** The secret may have just been rotated by the CLI: look again, at most once a second. */
  private async matchesRotatedSecret(channelName: string, secretToken: string | undefined): Promise<boolean> {
    // With Postgres down the cached secret is all there is: no match, 401, and Telegram retries.
    if (!secretToken || !(await this.channels.reloadIfStale().catch(() => false))) return false;
    const reloaded = await this.channels.get(channelName);
    return reloaded !== undefined && isValidTelegramSecret(secretToken, reloaded.webhookSecret);
  }

  private reject(status: number, code: string, message: string): ApiError {
    this.metrics.updates.inc({ outcome: 'rejected', reason: code });
    return new ApiError(status, code, message);
  }
}

function parseEnvelope(rawBody: unknown): UpdateEnvelope | 'not-json' | 'too-deep' | 'not-update' {
  const body = readJsonBody(rawBody);
  if (typeof body === 'string') return body;
  const envelope = UpdateEnvelope.safeParse(body.json);
  return envelope.success ? envelope.data : 'not-update';
}
