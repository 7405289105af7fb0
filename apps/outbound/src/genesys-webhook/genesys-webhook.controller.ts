import { Body, Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { Logger } from 'pino';
import { OpenOutboundMessage } from '@tgg/contracts';
import { ChannelDirectory } from '@tgg/data';
import { isValidGenesysSignature } from '@tgg/genesys';
import { ApiError, LOGGER, MAX_JSON_NESTING, METRICS, readJsonBody } from '@tgg/service-runtime';
import { injectTraceCarrier, type BridgeMetrics } from '@tgg/telemetry';
import { GENESYS_REPLIES, type GenesysRepliesIntake } from './genesys-replies.producer.js';
import { messageOf } from '../error-message.js';

/** The message log keeps Genesys ids in 64 characters; real ones are 32 hex digits. */
const MAX_GENESYS_ID_LENGTH = 64;
/** Message types the Telegram sender acts on; receipts and unknown types are acknowledged and counted only. */
const SENT_TYPES = new Set(['Text', 'Structured', 'Event']);

@Controller('genesys/webhook')
export class GenesysWebhookController {
  constructor(
    @Inject(ChannelDirectory) private readonly channels: ChannelDirectory,
    @Inject(GENESYS_REPLIES) private readonly replies: GenesysRepliesIntake,
    @Inject(METRICS) private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Checks run cheapest-first and nothing is parsed before the signature matched (over the raw
   * bytes: re-serialised JSON may differ from what Genesys signed). 200 comes only after Redis
   * holds the job. After that, every outcome — Telegram down, chat blocked, unknown chat — is a
   * receipt, never an HTTP error: Genesys retries non-2xx and a failing webhook can break the
   * whole conversation (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html; https://developer.genesys.cloud/forum/t/openmessage-need-to-either-disable-input-or-inform-agent-message-didnt-go-through/30668).
   */
  @Post(':channel')
  @HttpCode(200)
  async receiveReply(
    @Param('channel') channelName: string,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Body() rawBody: unknown,
  ): Promise<{ ok: true }> {
    const receivedAtMs = Date.now();
    const channel = await this.channels.get(channelName);
    if (!channel) throw this.reject(404, 'unknown_channel', 'no such channel');
    const bytes = Buffer.isBuffer(rawBody) ? rawBody : Buffer.alloc(0);
    // A channel without a webhook secret accepts nothing: an empty secret is refused by the check.
    if (!isValidGenesysSignature(bytes, signature, channel.genesysWebhookSecret ?? '')) {
      throw this.reject(401, 'bad_signature', 'missing or wrong X-Hub-Signature-256');
    }
    const reply = parseReply(bytes);
    if (reply === 'not-json') throw this.reject(400, 'invalid_json', 'body is not JSON');
    if (reply === 'too-deep') throw this.reject(400, 'nested_too_deep', `body nests deeper than ${MAX_JSON_NESTING} levels`);
    if (reply === 'not-a-message') throw this.reject(400, 'invalid_message', 'body is not an Open Messaging outbound message (id, channel.to.id and type required)');

    if (!SENT_TYPES.has(reply.type)) {
      const reason = reply.type === 'Receipt' ? 'receipt' : 'unknown_type';
      this.metrics.replies.inc({ outcome: 'ignored', reason });
      const fields = { channel: channelName, genesysMessageId: reply.id, type: reply.type, status: reply.status };
      if (reason === 'receipt') this.logger.debug(fields, 'Genesys receipt acknowledged');
      else this.logger.info(fields, 'Genesys message of a type we do not send acknowledged');
      return { ok: true };
    }

    await this.replies.enqueueOrAskToRetry(
      { channel: channelName, reply, receivedAtMs, trace: injectTraceCarrier() },
      { counter: this.metrics.replies, logger: this.logger, fields: { channel: channelName, genesysMessageId: reply.id }, noun: 'message' },
    );
    return { ok: true };
  }

  private reject(status: number, code: string, message: string): ApiError {
    this.metrics.replies.inc({ outcome: 'rejected', reason: code });
    return new ApiError(status, code, message);
  }
}

function parseReply(bytes: Buffer): OpenOutboundMessage | 'not-json' | 'too-deep' | 'not-a-message' {
  const body = readJsonBody(bytes);
  if (typeof body === 'string') return body;
  const parsed = OpenOutboundMessage.safeParse(body.json);
  if (!parsed.success || parsed.data.id.length > MAX_GENESYS_ID_LENGTH) return 'not-a-message';
  return parsed.data;
}
