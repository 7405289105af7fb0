import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { BridgeError } from '@tgg/contracts';
import { ChannelDirectory } from '@tgg/data';
import { ApiError, LOGGER, TelegramBots } from '@tgg/service-runtime';
import { isFileTooBigError, MediaLinkStore, verifyMediaLink, type MediaLinkRecord } from '@tgg/telegram';
import { mediaResponseHeadersOf } from './media-response-headers.js';

// Telegram refuses bot downloads above 20 MB (getFile "file is too big").
const TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/**
 * GET /media/:id?exp&sig — streams a customer's Telegram file to Genesys through a signed,
 * expiring link, so the bot token (inside Telegram's file URL) never leaves the bridge. The id
 * names a record the dispatcher stored when it issued the link (channel, file_id, type, name, size).
 */
@Controller('media')
export class MediaController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(MediaLinkStore) private readonly links: MediaLinkStore,
    @Inject(TelegramBots) private readonly bots: TelegramBots,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get(':id')
  async streamMedia(
    @Param('id') mediaLinkId: string,
    @Query('exp') exp: string | undefined,
    @Query('sig') sig: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const verdict = verifyMediaLink(mediaLinkId, exp, sig, this.config.media.signingKey, Math.floor(Date.now() / 1000));
    if (!verdict.ok) throw new ApiError(403, verdict.reason === 'expired' ? 'link_expired' : 'bad_signature', verdict.reason === 'expired' ? 'this media link has expired' : 'invalid media link signature');
    const record = await this.findRecord(verdict.mediaLinkId);
    if (!record) throw new ApiError(404, 'unknown_media_link', 'no file is known under this media link');
    if (record.sizeBytes !== undefined && record.sizeBytes > TELEGRAM_DOWNLOAD_LIMIT_BYTES) throw fileTooLarge();
    const channel = await this.channels.get(record.channel);
    if (!channel) throw new ApiError(404, 'unknown_channel', 'the channel of this media link no longer exists');
    const telegram = this.bots.clientFor(channel);
    try {
      const file = await telegram.getFile(record.fileId);
      if (!file.file_path) throw new ApiError(404, 'file_not_found', 'Telegram has no downloadable file for this link');
      if (file.file_size !== undefined && file.file_size > TELEGRAM_DOWNLOAD_LIMIT_BYTES) throw fileTooLarge();
      const download = await telegram.downloadFile(file.file_path);
      // Type and name from the message (getFile loses them), made safe to serve: see media-response-headers.ts.
      void reply
        .status(200)
        .headers(mediaResponseHeadersOf(record.mime ?? download.mime, record.filename))
        .header('cache-control', 'private, no-store');
      if (download.sizeBytes !== undefined) void reply.header('content-length', String(download.sizeBytes));
      // The DOM and node:stream/web ReadableStream types describe the same object.
      await reply.send(Readable.fromWeb(download.stream as unknown as NodeWebReadableStream<Uint8Array>));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (isFileTooBigError(error)) throw fileTooLarge();
      if (error instanceof BridgeError && !error.retryable) {
        this.logger.info({ channel: channel.name, code: error.code }, 'media link points at a file Telegram will not give');
        throw new ApiError(404, 'file_not_found', 'Telegram does not know this file');
      }
      this.logger.warn({ channel: channel.name, err: { message: error instanceof Error ? error.message : String(error) } }, 'media download from Telegram failed');
      throw new ApiError(502, 'telegram_unavailable', 'could not fetch the file from Telegram; try again');
    }
  }

  private async findRecord(mediaLinkId: string): Promise<MediaLinkRecord | undefined> {
    try {
      return await this.links.find(mediaLinkId);
    } catch (error) {
      // Redis down: a retry later can succeed, unlike a 404, which would tell Genesys the file is gone.
      this.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'media link lookup in Redis failed');
      throw new ApiError(503, 'unavailable', 'cannot look up this media link right now', { 'retry-after': '5' });
    }
  }
}

function fileTooLarge(): ApiError {
  return new ApiError(413, 'file_too_large', 'the file is over the 20 MB Telegram lets bots download');
}
