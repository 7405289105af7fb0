import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { ArrivalWaiters } from './arrival-waiters.js';
import { failure, stringParam, type BotApiReply } from './bot-api-reply.js';
import { FaultSchedule } from './fault-schedule.js';
import { EmulatorHttpServer, requestUrl, sendBytes, sendJson } from './http-server.js';
import {
  BodyTooLargeError,
  MalformedBodyError,
  parseParams,
  readRawBody,
  type ParsedParams,
  type UploadedFile,
  type UploadedFileWithBytes,
} from './request-body.js';
import { buildTapUpdate, type ButtonTapInput } from './telegram-callback-queries.js';
import { canonicalMethodName, runBotMethod } from './telegram-methods.js';
import type { TelegramFileKind } from './telegram-file-ids.js';
import {
  defaultBotId,
  newBotState,
  TelegramFileStore,
  transcriptsOf,
  type BotProfile,
  type BotState,
  type ChatTranscript,
  type StoredFile,
} from './telegram-state.js';
import { buildUserMessageUpdate, type UserMessageInput } from './telegram-user-updates.js';
import { webhookInfoOf } from './telegram-webhook-methods.js';
import { postWebhook, type WebhookResult } from './webhook-delivery.js';

/** One request to the Bot API, recorded whatever its outcome. */
export interface TelegramCall {
  token: string;
  /** Telegram's spelling (`sendMessage`) whatever case the client used. */
  method: string;
  /** Query and body parameters merged; `chat_id` is always a string. */
  params: Record<string, unknown>;
  files: UploadedFile[];
  /** HTTP status the emulator answered with. */
  status: number;
  atMs: number;
}

export interface TelegramFailure {
  status: number;
  description: string;
  retryAfterS?: number;
}

export type TelegramCallMatcher = string | ((call: TelegramCall) => boolean);

interface FaultContext {
  chatId: string | undefined;
}

export interface FakeTelegramOptions {
  port?: number;
  /** Source of "now" for message dates and recording; tests may move it by hand. */
  clock?: () => number;
}

/** Uploads reach 50 MB on the real API; a little more keeps the limit out of the way. */
const MAX_BODY_BYTES = 60 * 1024 * 1024;
/** Telegram gives up on a webhook request after 60 s (the Bot API server's WebhookActor.cpp, https://github.com/tdlib/telegram-bot-api). */
const WEBHOOK_TIMEOUT_MS = 60_000;
const BOT_PATH = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

const UNAUTHORIZED = failure(401, 'Unauthorized');
const BLOCKED = failure(403, 'Forbidden: bot was blocked by the user');

/** An emulator of the Telegram Bot API (https://core.telegram.org/bots/api) for tests and sandbox mode. */
export class FakeTelegram {
  readonly calls: TelegramCall[] = [];
  private readonly callWaiters = new ArrivalWaiters<TelegramCall>(this.calls, 'Telegram calls');
  private readonly bots = new Map<string, BotState>();
  private readonly files = new TelegramFileStore();
  private readonly blockedChatIds = new Set<string>();
  private readonly failures = new FaultSchedule<FaultContext, TelegramFailure>();
  private readonly stalls = new FaultSchedule<FaultContext, number>();
  private readonly closing = new AbortController();
  // Assigned in start(): the server's handler needs the instance, so the instance comes first.
  private server!: EmulatorHttpServer;

  private constructor(private readonly clock: () => number) {}

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options.clock ?? Date.now);
    fake.server = await EmulatorHttpServer.listen(
      options.port ?? 0,
      (request, response) => fake.route(request, response),
      (response, error) => sendJson(response, 500, failure(500, `Internal Server Error: emulator crashed: ${String(error)}`)),
    );
    return fake;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.callWaiters.rejectAll('FakeTelegram closed');
    await this.server.close();
  }

  addBot(token: string, bot: { id?: number; username?: string; firstName?: string } = {}): BotProfile {
    const id = bot.id ?? defaultBotId(token, 7_000_000_000 + this.bots.size + 1);
    const profile: BotProfile = { id, username: bot.username ?? `sandbox_${id}_bot`, firstName: bot.firstName ?? 'Sandbox Bot' };
    this.bots.set(token, newBotState(token, profile));
    return profile;
  }

  /** From now on every request with this token answers 401, as after /revoke in BotFather. */
  revokeToken(token: string): void {
    this.botOf(token).revoked = true;
  }

  /** A file under a file_id the test chooses (e.g. the longest plausible one); getFile and download serve it. */
  addFile(fileId: string, bytes: Buffer, options: { filePath?: string; mime?: string } = {}): StoredFile {
    return this.files.add(bytes, { ...options, fileId });
  }

  /**
   * A file as if a user had sent it: file_id and file_unique_id are new and in Telegram's real
   * shapes and lengths for `kind` (photo ids `AgACAgIAAxkBAAI…`, 86 characters).
   */
  addUserFile(kind: TelegramFileKind, bytes: Buffer, options: { filePath?: string; mime?: string } = {}): StoredFile {
    return this.files.add(bytes, { ...options, kind });
  }

  /** Bytes of a file a bot or user sent, so a sandbox page can show it without the bot token. */
  fileContent(fileId: string): StoredFile | undefined {
    return this.files.byId(fileId);
  }

  /** The next `times` calls of `method` (any case; `'*'` = every method), optionally only to one chat, fail. */
  failNext(method: string, times: number, failureToAnswer: TelegramFailure, options: { chatId?: string | number } = {}): void {
    this.failures.add(method.toLowerCase(), times, failureToAnswer, this.chatFilter(options.chatId));
  }

  /** Forgets every scripted failure and stall not used yet, e.g. to end a time-boxed storm. */
  clearFaults(): void {
    this.failures.clear();
    this.stalls.clear();
  }

  block(chatId: string | number): void {
    this.blockedChatIds.add(String(chatId));
  }

  unblock(chatId: string | number): void {
    this.blockedChatIds.delete(String(chatId));
  }

  /** Holds the answer of the next `times` calls of `method` for `ms` (the work is done before the wait). */
  stall(method: string, ms: number, times = 1, options: { chatId?: string | number } = {}): void {
    this.stalls.add(method.toLowerCase(), times, ms, this.chatFilter(options.chatId));
  }

  callsTo(method: string): TelegramCall[] {
    return this.calls.filter(callMatcher(method));
  }

  /** Resolves with the first `count` recorded calls that match, already recorded ones included. */
  waitForCalls(matcher: TelegramCallMatcher, count = 1, timeoutMs = 10_000): Promise<TelegramCall[]> {
    return this.callWaiters.waitFor(callMatcher(matcher), count, timeoutMs);
  }

  async waitForCall(matcher: TelegramCallMatcher, timeoutMs = 10_000): Promise<TelegramCall> {
    const [call] = await this.waitForCalls(matcher, 1, timeoutMs);
    // waitFor resolves only with `count` (here 1) entries.
    return call as TelegramCall;
  }

  /** Forgets recorded calls (bench runs would otherwise keep every call in memory). */
  clearRecorded(): void {
    this.calls.length = 0;
    this.callWaiters.resetScan();
  }

  webhookInfo(token: string): Record<string, unknown> {
    return webhookInfoOf(this.botOf(token).webhook);
  }

  /** Points the bot's webhook somewhere without a setWebhook call (sandbox wiring). */
  setWebhookTarget(token: string, url: string, secretToken?: string): void {
    const bot = this.botOf(token);
    bot.webhook = { ...bot.webhook, url, ...(secretToken === undefined ? {} : { secretToken }) };
  }

  /** What getWebhookInfo reports as the last delivery error, e.g. to test `webhook info`. */
  setWebhookError(token: string, message: string): void {
    const webhook = this.botOf(token).webhook;
    webhook.lastErrorMessage = message;
    webhook.lastErrorDateS = Math.floor(this.clock() / 1000);
  }

  /** POSTs one update to the bot's webhook with the secret header, as Telegram does (one attempt, no retries). */
  async deliverUpdate(token: string, update: object): Promise<WebhookResult> {
    const bot = this.botOf(token);
    if (!bot.webhook.url) throw new Error(`bot ${bot.profile.id} has no webhook to deliver to`);
    const headers: Record<string, string> = bot.webhook.secretToken ? { 'x-telegram-bot-api-secret-token': bot.webhook.secretToken } : {};
    try {
      const result = await postWebhook(bot.webhook.url, Buffer.from(JSON.stringify(update)), headers, {
        timeoutMs: WEBHOOK_TIMEOUT_MS,
        abortSignal: this.closing.signal,
      });
      if (result.status < 200 || result.status > 299) {
        this.setWebhookError(token, `Wrong response from the webhook: ${result.status} ${STATUS_CODES[result.status] ?? ''}`.trim());
      }
      return result;
    } catch (error) {
      this.setWebhookError(token, "Can't connect to the webhook");
      throw new Error(`delivering an update to the webhook of bot ${bot.profile.id} failed`, { cause: error });
    }
  }

  /** Plays a user writing to the bot: builds the Update, adds it to the chat transcript and delivers it. */
  async sendUserMessage(token: string, input: UserMessageInput): Promise<{ update: Record<string, unknown>; delivery: WebhookResult }> {
    const update = buildUserMessageUpdate(this.botOf(token), this.files, input, this.clock());
    return { update, delivery: await this.deliverUpdate(token, update) };
  }

  /** Plays a user tapping an inline button under a bot message: a realistic `callback_query` update, delivered once. */
  async tapButton(token: string, input: ButtonTapInput): Promise<{ update: Record<string, unknown>; delivery: WebhookResult }> {
    const update = this.prepareTap(token, input);
    return { update, delivery: await this.deliverUpdate(token, update) };
  }

  /**
   * The update of a tap, not delivered: taps prepared together are taps on the keyboard as the
   * customer's app showed it, before any edit of it arrived (a quick double tap).
   */
  prepareTap(token: string, input: ButtonTapInput): Record<string, unknown> {
    return buildTapUpdate(this.botOf(token), input, this.clock());
  }

  /** Per-chat transcripts (user and bot messages) for a sandbox page; all bots unless a token is given. */
  userChats(token?: string): ChatTranscript[] {
    const bots = token === undefined ? [...this.bots.values()] : [this.botOf(token)];
    return bots.flatMap(transcriptsOf);
  }

  private botOf(token: string): BotState {
    const bot = this.bots.get(token);
    if (!bot) throw new Error('unknown bot token: call addBot() first');
    return bot;
  }

  private chatFilter(chatId: string | number | undefined): (context: FaultContext) => boolean {
    return chatId === undefined ? () => true : (context) => context.chatId === String(chatId);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = requestUrl(request);
    const fileMatch = FILE_PATH.exec(url.pathname);
    if (fileMatch && request.method === 'GET') {
      return this.serveFile(decodeURIComponent(fileMatch[1] ?? ''), decodeURIComponent(fileMatch[2] ?? ''), response);
    }
    const botMatch = BOT_PATH.exec(url.pathname);
    if (!botMatch || (request.method !== 'GET' && request.method !== 'POST')) {
      return sendJson(response, 404, failure(404, 'Not Found'));
    }
    const token = decodeURIComponent(botMatch[1] ?? '');
    const requestedMethod = botMatch[2] ?? '';

    let parsed: ParsedParams;
    try {
      parsed = await parseParams(await readRawBody(request, MAX_BODY_BYTES), request.headers['content-type'], url.searchParams);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(response, 413, failure(413, 'Request Entity Too Large'));
      if (error instanceof MalformedBodyError) return sendJson(response, 400, failure(400, `Bad Request: ${error.message}`));
      throw error;
    }
    const chatId = stringParam(parsed.params, 'chat_id');
    const params = chatId === undefined ? parsed.params : { ...parsed.params, chat_id: chatId };
    const nowMs = this.clock();
    const reply = this.replyTo(token, requestedMethod, { params, uploads: parsed.files, chatId, nowMs });

    this.calls.push({
      token,
      method: canonicalMethodName(requestedMethod),
      params,
      files: parsed.files.map(({ field, filename, size, mime }) => ({ field, filename, size, mime })),
      status: reply.ok ? 200 : reply.error_code,
      atMs: nowMs,
    });
    this.callWaiters.notify();

    const stallMs = this.stalls.take(requestedMethod.toLowerCase(), { chatId });
    if (stallMs !== undefined) await this.server.delay(stallMs);
    const retryAfterS = reply.ok ? undefined : reply.parameters?.retry_after;
    sendJson(response, reply.ok ? 200 : reply.error_code, reply, retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) });
  }

  private replyTo(
    token: string,
    requestedMethod: string,
    request: { params: Record<string, unknown>; uploads: UploadedFileWithBytes[]; chatId: string | undefined; nowMs: number },
  ): BotApiReply {
    const bot = this.bots.get(token);
    if (!bot || bot.revoked) return UNAUTHORIZED;
    const scripted = this.failures.take(requestedMethod.toLowerCase(), { chatId: request.chatId });
    if (scripted) return failure(scripted.status, scripted.description, scripted.retryAfterS);
    if (request.chatId !== undefined && this.blockedChatIds.has(request.chatId) && /^send/i.test(requestedMethod)) return BLOCKED;
    return runBotMethod(requestedMethod, { bot, params: request.params, uploads: request.uploads, files: this.files, nowMs: request.nowMs });
  }

  private serveFile(token: string, filePath: string, response: ServerResponse): void {
    const bot = this.bots.get(token);
    if (!bot || bot.revoked) return sendJson(response, 401, UNAUTHORIZED);
    const file = this.files.byPath(filePath);
    if (!file) return sendJson(response, 404, failure(404, 'Not Found: file not found'));
    sendBytes(response, file.bytes, file.mime);
  }
}

function callMatcher(matcher: TelegramCallMatcher): (call: TelegramCall) => boolean {
  if (typeof matcher !== 'string') return matcher;
  const method = matcher.toLowerCase();
  return (call) => call.method.toLowerCase() === method;
}
