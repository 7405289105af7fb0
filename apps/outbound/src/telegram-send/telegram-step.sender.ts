import { Inject, Injectable } from '@nestjs/common';
import { ChatBlockedError, PermanentError, type ReceiptReasonCode } from '@tgg/contracts';
import type { SendOptions, TelegramBotApiClient } from '@tgg/telegram';
import { GenesysAttachmentDownloader } from './genesys-attachment.downloader.js';
import { InlineKeyboards, type KeyboardOwner } from './inline-keyboards.js';
import { mediaMethodFor, tooLargeNotice } from './media-method.js';
import type { SendStep } from './send-plan.js';
import { SEND_RATE_LIMITER } from './outbound-turns.providers.js';
import type { SendRateLimiter } from './send-rate-limiter.js';

type Reason = { code: ReceiptReasonCode; message: string };

export interface StepOutcome {
  messageId: number | undefined;
  /** The step reached the customer only as a notice (e.g. a file over Telegram's limit). */
  failure?: Reason;
  /** The step reached the customer in another form than planned (e.g. a card without its image). */
  degraded?: Reason;
}

/** Attachments are held in memory while they pass through (≤ 50 MB each): at most this many at once per process. */
const CONCURRENT_ATTACHMENTS = 4;

/** Sends one step of a reply: the matching Bot API call, inside a rate-limit slot held until Telegram answered. */
@Injectable()
export class TelegramStepSender {
  private readonly attachmentSlots = new Semaphore(CONCURRENT_ATTACHMENTS);

  constructor(
    @Inject(SEND_RATE_LIMITER) private readonly limiter: SendRateLimiter,
    @Inject(GenesysAttachmentDownloader) private readonly downloader: GenesysAttachmentDownloader,
    @Inject(InlineKeyboards) private readonly keyboards: InlineKeyboards,
  ) {}

  /** `to` names the chat and the Genesys message, which a keyboard's button records point back to. */
  async send(client: TelegramBotApiClient, chatRef: string, to: KeyboardOwner, step: SendStep): Promise<StepOutcome> {
    // Saved before the send and outside the rate-limit slot (a Redis write must not hold the chat's pace).
    const options: SendOptions = step.keyboard ? { replyMarkup: await this.keyboards.markupFor(step.keyboard, to) } : {};
    if (step.kind === 'text') return this.sendText(client, chatRef, to.chatId, step.text, options);
    return this.attachmentSlots.run(() => this.sendAttachment(client, chatRef, to.chatId, step, options));
  }

  /** A chat action counts against the global limit only: Telegram's per-chat pace is about messages. */
  async sendTyping(client: TelegramBotApiClient, chatId: string): Promise<void> {
    await this.limiter.run(undefined, this.limiter.inFlightLeaseMs, () => client.sendChatAction(chatId, 'typing'));
  }

  private sendText(client: TelegramBotApiClient, chatRef: string, chatId: string, text: string, options: SendOptions): Promise<StepOutcome> {
    return this.limiter.run(chatRef, this.limiter.inFlightLeaseMs, () => client.sendMessage(chatId, text, options));
  }

  private async sendAttachment(client: TelegramBotApiClient, chatRef: string, chatId: string, step: Extract<SendStep, { kind: 'attachment' }>, options: SendOptions): Promise<StepOutcome> {
    const { attachment, caption, fallbackText } = step;
    // A card's image is decoration around its text and buttons: when it cannot be had, the card goes as text.
    const asText = async (why: string): Promise<StepOutcome> => ({
      ...(await this.sendText(client, chatRef, chatId, fallbackText ?? '', options)),
      degraded: { code: 'UnsupportedMessage', message: `a card was sent without its ${attachment.mediaType.toLowerCase()}: ${why}` },
    });
    // Downloaded before the slot is taken, so a slow download does not hold the chat's pace.
    let download: Awaited<ReturnType<GenesysAttachmentDownloader['download']>>;
    try {
      download = await this.downloader.download(attachment.url, attachment.contentSizeBytes);
    } catch (error) {
      if (fallbackText !== undefined && error instanceof PermanentError) return asText(error.message);
      throw error;
    }
    const mime = attachment.mime ?? (download.kind === 'file' ? download.mime : undefined) ?? 'application/octet-stream';
    const sizeBytes = download.kind === 'file' ? download.bytes.length : download.sizeBytes;
    const method = download.kind === 'file' ? mediaMethodFor(attachment, mime, sizeBytes) : 'too-large';
    if (download.kind === 'too-large' || method === 'too-large') {
      if (fallbackText !== undefined) return asText(`${sizeBytes} bytes is over Telegram's upload limit`);
      const { messageId } = await this.sendText(client, chatRef, chatId, tooLargeNotice(attachment, sizeBytes, caption), options);
      return { messageId, failure: { code: 'InvalidMediaContentLength', message: `attachment of ${sizeBytes} bytes is over Telegram's 50 MB upload limit` } };
    }
    const filename = attachment.filename ?? fileNameFromUrl(attachment.url) ?? 'attachment';
    const file = { bytes: download.bytes, filename, mime };
    try {
      return await this.limiter.run(chatRef, this.limiter.inFlightLeaseMs, () => client.sendMedia(method, chatId, file, { ...options, ...(caption ? { caption } : {}) }));
    } catch (error) {
      // Telegram refused the file itself (not an image, too big to process): the card's text and buttons still go.
      if (fallbackText !== undefined && error instanceof PermanentError && !(error instanceof ChatBlockedError)) return asText(error.message);
      throw error;
    }
  }
}


function fileNameFromUrl(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return last && /\.[A-Za-z0-9]{1,8}$/.test(last) ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

/** A counting semaphore: `run` waits for a free slot, so memory held by attachments stays bounded. */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
