import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CallbackQuery, type UpdateEnvelope } from '@tgg/contracts';
import { LOGGER, METRICS, TelegramBots, unavailableAs503, type BotChannel } from '@tgg/service-runtime';
import { KeyboardButtonStore } from '@tgg/telegram';
import { injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { answeredKeyboardOf, judgeTap, type TapVerdict } from './tap-verdict.js';
import { TELEGRAM_UPDATES, type TelegramUpdatesIntake } from './telegram-updates.producer.js';

/**
 * Ingress for taps on inline keyboards (`callback_query`). A tap on a keyboard the bridge sent is
 * claimed for its keyboard (first tap wins, SPEC §5) and stored like a message, into its chat's
 * order; every other tap is answered with a short notice and dropped. The spinner Telegram shows
 * until answerCallbackQuery is stopped after the update is stored, without holding the 200 back:
 * the answer and the keyboard edit are best effort (logged and counted in
 * tgg_telegram_requests{method}); nothing is lost when they fail.
 */
@Injectable()
export class ButtonTaps {
  constructor(
    @Inject(KeyboardButtonStore) private readonly buttons: KeyboardButtonStore,
    @Inject(TELEGRAM_UPDATES) private readonly updates: TelegramUpdatesIntake,
    @Inject(TelegramBots) private readonly bots: TelegramBots,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Throws 503 when Redis cannot be read or written: Telegram redelivers the tap. */
  async receive(channel: BotChannel, update: UpdateEnvelope, receivedAtMs: number): Promise<void> {
    const parsed = CallbackQuery.safeParse(update['callback_query']);
    if (!parsed.success) {
      // Answering 400 would make Telegram redeliver it; without a valid id it cannot even be answered.
      this.metrics.updates.inc({ outcome: 'ignored', reason: 'tap_invalid' });
      this.logger.info({ channel: channel.name, updateId: update.update_id }, 'callback_query of an unexpected shape ignored');
      return;
    }
    const query = parsed.data;
    const fields = { channel: channel.name, updateId: update.update_id };
    const report = { counter: this.metrics.updates, logger: this.logger, fields, noun: 'update' };
    const verdict = await unavailableAs503(report, async () => {
      const button = await this.buttons.find(query.data);
      return judgeTap(query, channel.name, button, (found) => this.buttons.claimAnswer(found.keyboardId, query.id));
    });
    if (verdict.kind === 'ignore') {
      this.metrics.updates.inc({ outcome: 'ignored', reason: verdict.reason });
      this.logger.debug({ channel: channel.name, updateId: update.update_id, reason: verdict.reason }, 'tap not forwarded');
      this.acknowledge(channel, query, verdict);
      return;
    }
    await this.updates.enqueueOrAskToRetry({ channel: channel.name, update, receivedAtMs, trace: injectTraceCarrier() }, report);
    this.acknowledge(channel, query, verdict);
  }

  /** Stops the spinner and closes or marks the keyboard; not awaited by the webhook. */
  private acknowledge(channel: BotChannel, query: CallbackQuery, verdict: TapVerdict): void {
    const telegram = this.bots.clientFor(channel);
    const fields = { channel: channel.name, callbackQueryId: query.id };
    const notice = verdict.kind === 'ignore' ? { text: verdict.notice } : {};
    void telegram
      .call('answerCallbackQuery', { callback_query_id: query.id, ...notice })
      .catch((error: unknown) => this.logger.warn({ ...fields, err: { message: (error as Error).message } }, 'answerCallbackQuery failed; the tap itself is not affected'));
    const markup = keyboardAfter(query, verdict);
    if (!markup || !query.message) return;
    void telegram
      .call('editMessageReplyMarkup', { chat_id: String(query.message.chat.id), message_id: query.message.message_id, ...markup })
      .catch((error: unknown) => this.logger.info({ ...fields, err: { message: (error as Error).message } }, 'could not update the keyboard of a tapped message'));
  }
}

/**
 * The keyboard's new markup: the chosen option after a forwarded tap, none (closed) after a refused
 * tap on a keyboard of the bridge, untouched otherwise. An InaccessibleMessage (date 0) cannot be edited.
 */
function keyboardAfter(query: CallbackQuery, verdict: TapVerdict): { reply_markup?: object } | undefined {
  if (!query.message || query.message.date === 0) return undefined;
  if (verdict.kind === 'forward') return { reply_markup: answeredKeyboardOf(verdict.button, query.data ?? '') };
  return verdict.closeKeyboard ? {} : undefined;
}
