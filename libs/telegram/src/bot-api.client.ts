import { BridgeError, RetryableError } from '@tgg/contracts';
import { redactBotToken } from '@tgg/telemetry';
import {
  MEDIA_FIELD,
  TelegramBotUser,
  TelegramEnvelope,
  TelegramFile,
  TelegramSentMessage,
  TelegramWebhookInfo,
  type InlineKeyboardMarkup,
  type TelegramDownload,
  type TelegramMediaMethod,
  type TelegramParams,
  type TelegramUploadFile,
  type TelegramUploadSource,
} from './bot-api.types.js';
import { classifyTelegramResponse } from './telegram-errors.js';

export interface TelegramBotApiClientOptions {
  /** TELEGRAM_API_BASE_URL, without a trailing slash. */
  apiBaseUrl: string;
  botToken: string;
  /** JSON calls and downloads; default 15 s. */
  timeoutMs?: number;
  /** Multipart uploads (up to 50 MB); default 120 s. */
  uploadTimeoutMs?: number;
  /** Every request, failed ones included: `method` is the Bot API method name, or 'file' for downloads. */
  onRequest?: (method: string, status: number | 'error', durationS: number) => void;
}

export interface SendOptions {
  /** Extra Bot API parameters (reply_parameters, link_preview_options, disable_notification, …). */
  params?: TelegramParams;
  /** An inline keyboard under the message (JSON, or a JSON text field in a multipart upload). */
  replyMarkup?: InlineKeyboardMarkup;
}

function sendParams(options: SendOptions): TelegramParams {
  return { ...options.params, ...(options.replyMarkup ? { reply_markup: options.replyMarkup } : {}) };
}

/**
 * The Telegram Bot API over native fetch. Every URL carries the bot token (`/bot<token>/…`), so
 * URLs are built in one function (`urlOf`) and never leave this class: errors name the method,
 * or at most the redacted URL, and never carry a fetch error as `cause` (undici puts the URL in
 * some of its messages). Answers are classified at the edge by classifyTelegramResponse: 429 →
 * RetryableError(retry_after), 5xx/timeouts → RetryableError, 403 blocked → ChatBlockedError,
 * other 4xx → PermanentError.
 */
export class TelegramBotApiClient {
  constructor(private readonly options: TelegramBotApiClientOptions) {}

  private get callTimeoutMs(): number {
    return this.options.timeoutMs ?? 15_000;
  }

  private get uploadTimeoutMs(): number {
    return this.options.uploadTimeoutMs ?? 120_000;
  }

  /** A Bot API method with JSON parameters; resolves with `result` (undefined when a 2xx body is unreadable). */
  async call(method: string, params: TelegramParams = {}): Promise<unknown> {
    return this.request(method, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(withoutUndefined(params)),
    }, this.callTimeoutMs);
  }

  /** A Bot API method with a multipart body: the parameters as text fields plus one file from memory. */
  private async upload(method: string, params: TelegramParams, file: TelegramUploadFile): Promise<unknown> {
    const form = new FormData();
    for (const [name, value] of Object.entries(withoutUndefined(params))) form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    form.append(file.field, new Blob([file.bytes], { type: file.mime }), file.filename);
    return this.request(method, { method: 'POST', body: form }, this.uploadTimeoutMs);
  }

  async getMe(): Promise<TelegramBotUser> {
    return parseResult('getMe', TelegramBotUser, await this.call('getMe'));
  }

  async getFile(fileId: string): Promise<TelegramFile> {
    return parseResult('getFile', TelegramFile, await this.call('getFile', { file_id: fileId }));
  }

  /** Streams a file from `/file/bot<token>/<file_path>` (valid ≥ 1 h after getFile). */
  async downloadFile(filePath: string): Promise<TelegramDownload> {
    const started = performance.now();
    const response = await this.fetchOrThrow('file', this.urlOf({ filePath }), { method: 'GET' }, this.options.timeoutMs ?? 60_000, started);
    // Measured to the response head: the body is the caller's to read, at its own pace.
    this.options.onRequest?.('file', response.status, (performance.now() - started) / 1000);
    if (!response.ok || !response.body) {
      const verdict = classifyTelegramResponse(response.status, safeJson(await response.text().catch(() => '')));
      throw verdict === 'ok' ? new RetryableError('Telegram file download had no body', 'telegram_bad_response') : verdict;
    }
    const length = Number(response.headers.get('content-length'));
    return {
      stream: response.body,
      ...(Number.isSafeInteger(length) && length >= 0 && response.headers.has('content-length') ? { sizeBytes: length } : {}),
      ...(response.headers.get('content-type') ? { mime: response.headers.get('content-type') ?? undefined } : {}),
    };
  }

  /** Plain text (no parse_mode: agent text is free-form and one stray character would break a formatted send). */
  async sendMessage(chatId: string, text: string, options: SendOptions = {}): Promise<{ messageId: number | undefined }> {
    return sentMessageOf(await this.call('sendMessage', { ...sendParams(options), chat_id: chatId, text }));
  }

  /** A file by URL or file_id (a string), or uploaded as multipart. */
  async sendMedia(
    method: TelegramMediaMethod,
    chatId: string,
    media: string | TelegramUploadSource,
    options: SendOptions & { caption?: string } = {},
  ): Promise<{ messageId: number | undefined }> {
    const field = MEDIA_FIELD[method];
    const params: TelegramParams = { ...sendParams(options), chat_id: chatId, ...(options.caption ? { caption: options.caption } : {}) };
    const result = typeof media === 'string' ? await this.call(method, { ...params, [field]: media }) : await this.upload(method, params, { ...media, field });
    return sentMessageOf(result);
  }

  async sendChatAction(chatId: string, action = 'typing'): Promise<void> {
    await this.call('sendChatAction', { chat_id: chatId, action });
  }

  async setWebhook(params: { url: string; secret_token?: string; allowed_updates?: string[]; max_connections?: number; drop_pending_updates?: boolean }): Promise<void> {
    await this.call('setWebhook', params);
  }

  async getWebhookInfo(): Promise<TelegramWebhookInfo> {
    return parseResult('getWebhookInfo', TelegramWebhookInfo, await this.call('getWebhookInfo'));
  }

  async deleteWebhook(params: { drop_pending_updates?: boolean } = {}): Promise<void> {
    await this.call('deleteWebhook', params);
  }

  /** The only place a URL with the token is made. */
  private urlOf(target: { method: string } | { filePath: string }): string {
    const { apiBaseUrl, botToken } = this.options;
    if ('method' in target) return `${apiBaseUrl}/bot${botToken}/${encodeURIComponent(target.method)}`;
    return `${apiBaseUrl}/file/bot${botToken}/${target.filePath.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async request(method: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
    const started = performance.now();
    const response = await this.fetchOrThrow(method, this.urlOf({ method }), init, timeoutMs, started);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      this.options.onRequest?.(method, 'error', (performance.now() - started) / 1000);
      throw networkError(method, error);
    }
    this.options.onRequest?.(method, response.status, (performance.now() - started) / 1000);
    const body = safeJson(text);
    const verdict = classifyTelegramResponse(response.status, body);
    if (verdict !== 'ok') throw verdict;
    // A 2xx means Telegram did it: an odd body must not turn into an error that makes the caller send again.
    const envelope = TelegramEnvelope.safeParse(body);
    return envelope.success ? envelope.data.result : undefined;
  }

  private async fetchOrThrow(method: string, url: string, init: RequestInit, timeoutMs: number, started: number): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      this.options.onRequest?.(method, 'error', (performance.now() - started) / 1000);
      throw networkError(method, error, redactBotToken(url));
    }
  }
}

/** A fetch failure as a RetryableError naming the method (and the redacted URL), with the system error code when there is one. */
function networkError(method: string, error: unknown, redactedUrl?: string): BridgeError {
  // Read structurally: a DOMException from another realm (e.g. a test VM) fails `instanceof Error`.
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const code = systemCode(error);
  const where = redactedUrl ? ` (${redactedUrl})` : '';
  return timedOut
    ? new RetryableError(`Telegram ${method} request timed out${where}`, 'telegram_timeout')
    : new RetryableError(`Telegram ${method} request failed${code ? `: ${code}` : ''}${where}`, 'telegram_unreachable');
}

function systemCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  // Structural reads of a non-null object: Node's system errors carry `code`, undici's wrap them in `cause`.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  return systemCode((error as { cause?: unknown }).cause, depth + 1);
}

function parseResult<T>(method: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, result: unknown): T {
  const parsed = schema.safeParse(result);
  if (!parsed.success) throw new RetryableError(`Telegram ${method} answered with an unexpected result`, 'telegram_bad_response');
  return parsed.data;
}

function sentMessageOf(result: unknown): { messageId: number | undefined } {
  const parsed = TelegramSentMessage.safeParse(result);
  return { messageId: parsed.success ? parsed.data.message_id : undefined };
}

function withoutUndefined(params: TelegramParams): Record<string, string | number | boolean | object> {
  const defined: Record<string, string | number | boolean | object> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) defined[name] = value;
  return defined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
