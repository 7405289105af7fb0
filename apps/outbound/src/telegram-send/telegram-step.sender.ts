import { Inject, Injectable } from '@nestjs/common';
import type { OutboundAttachment, ReceiptReasonCode } from '@tgg/contracts';
import type { TelegramBotApiClient } from '@tgg/telegram';
import { GenesysAttachmentDownloader } from './genesys-attachment.downloader.js';
import { mediaMethodFor, tooLargeNotice } from './media-method.js';
import type { SendStep } from './send-plan.js';
import { SEND_RATE_LIMITER } from './outbound-turns.providers.js';
import type { SendRateLimiter } from './send-rate-limiter.js';

export interface StepOutcome {
  messageId: number | undefined;
  /** The step reached the customer only as a notice (e.g. a file over Telegram's limit). */
  failure?: { code: ReceiptReasonCode; message: string };
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
  ) {}

  async send(client: TelegramBotApiClient, chatRef: string, chatId: string, step: SendStep): Promise<StepOutcome> {
    if (step.kind === 'text') return this.limiter.run(chatRef, this.limiter.inFlightLeaseMs, () => client.sendMessage(chatId, step.text));
    return this.attachmentSlots.run(() => this.sendAttachment(client, chatRef, chatId, step.attachment, step.caption));
  }

  /** A chat action counts against the global limit only: Telegram's per-chat pace is about messages. */
  async sendTyping(client: TelegramBotApiClient, chatId: string): Promise<void> {
    await this.limiter.run(undefined, this.limiter.inFlightLeaseMs, () => client.sendChatAction(chatId, 'typing'));
  }

  private async sendAttachment(client: TelegramBotApiClient, chatRef: string, chatId: string, attachment: OutboundAttachment, caption: string | undefined): Promise<StepOutcome> {
    // Downloaded before the slot is taken, so a slow download does not hold the chat's pace.
    const download = await this.downloader.download(attachment.url, attachment.contentSizeBytes);
    const mime = attachment.mime ?? (download.kind === 'file' ? download.mime : undefined) ?? 'application/octet-stream';
    const sizeBytes = download.kind === 'file' ? download.bytes.length : download.sizeBytes;
    const method = download.kind === 'file' ? mediaMethodFor(attachment, mime, sizeBytes) : 'too-large';
    if (download.kind === 'too-large' || method === 'too-large') {
      const { messageId } = await this.limiter.run(chatRef, this.limiter.inFlightLeaseMs, () => client.sendMessage(chatId, tooLargeNotice(attachment, sizeBytes, caption)));
      return { messageId, failure: { code: 'InvalidMediaContentLength', message: `attachment of ${sizeBytes} bytes is over Telegram's 50 MB upload limit` } };
    }
    const filename = attachment.filename ?? fileNameFromUrl(attachment.url) ?? 'attachment';
    const file = { bytes: download.bytes, filename, mime };
    return this.limiter.run(chatRef, this.limiter.inFlightLeaseMs, () => client.sendMedia(method, chatId, file, caption ? { caption } : {}));
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
