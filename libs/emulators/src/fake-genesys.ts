import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArrivalWaiters } from './arrival-waiters.js';
import { FaultSchedule } from './fault-schedule.js';
import {
  buildAgentMessage,
  hubSignature,
  mediaTypeOfMime,
  newGenesysMessageId,
  type AgentAttachment,
  type AgentMessageInput,
} from './genesys-agent-message.js';
import { ConversationStore, type ConversationView } from './genesys-conversations.js';
import { notFound, platformError, scriptedFailure } from './genesys-errors.js';
import {
  acceptInboundEvent,
  acceptInboundMessage,
  acceptInboundReceipt,
  acceptStructuredResponse,
  type InboundEventRecord,
  type InboundMessageRecord,
  type InboundReceiptRecord,
  type InboundRequest,
  type InboundStructuredResponseRecord,
} from './genesys-inbound.js';
import { IntegrationStore, type IntegrationRecord, type IntegrationSettings } from './genesys-integrations.js';
import { GenesysTokenIssuer } from './genesys-oauth.js';
import { EmulatorHttpServer, requestUrl, sendJson, writeOutcome, type HttpOutcome } from './http-server.js';
import { bearerToken, BodyTooLargeError, readRawBody } from './request-body.js';
import { postWebhook, type WebhookResult } from './webhook-delivery.js';

/** Routes a test can script faults and stalls for. */
export type GenesysRoute = 'token' | 'message' | 'structured_response' | 'receipt' | 'event' | 'integrations' | 'download';

export interface GenesysFailure {
  status: number;
  /** Sent as `Retry-After`; a 429 without one gets 1 s, as Genesys always sends the header. */
  retryAfterS?: number;
  /** Replaces the platform error body Genesys would send for `status`. */
  body?: unknown;
}

/** Every request, whatever its outcome, e.g. to count a client's retries. */
export interface GenesysRequestRecord {
  route: GenesysRoute | 'unknown';
  method: string;
  path: string;
  status: number;
  /** When its body had been read and the answer decided (before any stall). */
  atMs: number;
  /** When the request arrived, before its body was read. */
  startedAtMs: number;
  /** When its answer was written (after any stall); unset while it is in flight. With startedAtMs, a test can tell whether a client had two requests open at once. */
  answeredAtMs?: number;
  /** `channel.messageId` of an inbound message or receipt, so a test can follow one message's retries. */
  messageId?: string;
}

/** An agent message built and signed but not posted yet: a test posts it, as often as Genesys would. */
export interface PreparedAgentMessage {
  id: string;
  body: Record<string, unknown>;
  /** The exact bytes the signature covers. */
  bytes: Buffer;
  /** `content-type`, `x-hub-signature-256` and the integration's own webhook headers. */
  headers: Record<string, string>;
  webhookUrl: string;
  /** When it was made, by the fake's clock (also its `channel.time`). */
  atMs: number;
}

export interface AgentMessageRecord {
  integrationId: string;
  body: Record<string, unknown>;
  webhookStatus: number;
  atMs: number;
}

export interface FakeGenesysOptions {
  port?: number;
  /** Source of "now" for token expiry and timestamps; tests move it to expire tokens without waiting. */
  clock?: () => number;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Genesys waits 10 s for the webhook to answer (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html, "Webhook retry policy"). */
const WEBHOOK_TIMEOUT_MS = 10_000;
const INBOUND_PATH = /^\/api\/v2\/conversations\/messages\/([^/]+)\/inbound\/open\/(message|structured\/response|receipt|event)\/?$/;
const INTEGRATIONS_PATH = /^\/api\/v2\/conversations\/messaging\/integrations\/open(?:\/([^/]+))?\/?$/;
const DOWNLOAD_PATH = /^\/api\/v2\/downloads\/([^/]+)$/;

/** An emulator of Genesys Cloud: the login host (OAuth), Open Messaging and its integrations API. */
export class FakeGenesys {
  readonly inbound: InboundMessageRecord[] = [];
  readonly structuredResponses: InboundStructuredResponseRecord[] = [];
  readonly receipts: InboundReceiptRecord[] = [];
  readonly events: InboundEventRecord[] = [];
  readonly requests: GenesysRequestRecord[] = [];
  readonly agentMessages: AgentMessageRecord[] = [];
  private readonly inboundWaiters = new ArrivalWaiters<InboundMessageRecord>(this.inbound, 'inbound messages');
  private readonly structuredWaiters = new ArrivalWaiters<InboundStructuredResponseRecord>(this.structuredResponses, 'structured responses');
  private readonly receiptWaiters = new ArrivalWaiters<InboundReceiptRecord>(this.receipts, 'receipts');
  private readonly eventWaiters = new ArrivalWaiters<InboundEventRecord>(this.events, 'inbound events');
  private readonly tokens: GenesysTokenIssuer;
  private readonly integrations: IntegrationStore;
  private readonly conversationStore = new ConversationStore();
  private readonly downloads = new Map<string, { bytes: Buffer; mime: string }>();
  private readonly failures = new FaultSchedule<void, GenesysFailure>();
  private readonly stalls = new FaultSchedule<void, number>();
  private readonly closing = new AbortController();
  private tokenRequestCount = 0;
  // Assigned in start(): the server's handler needs the instance, so the instance comes first.
  private server!: EmulatorHttpServer;

  private constructor(private readonly clock: () => number) {
    this.tokens = new GenesysTokenIssuer(clock);
    this.integrations = new IntegrationStore(clock);
  }

  static async start(options: FakeGenesysOptions = {}): Promise<FakeGenesys> {
    const fake = new FakeGenesys(options.clock ?? Date.now);
    fake.server = await EmulatorHttpServer.listen(
      options.port ?? 0,
      (request, response) => fake.route(request, response),
      (response, error) => sendJson(response, 500, platformError(500, 'internal.server.error', `emulator crashed: ${String(error)}`).body),
    );
    return fake;
  }

  /** Serves as both GENESYS_LOGIN_BASE_URL and GENESYS_API_BASE_URL. */
  get baseUrl(): string {
    return this.server.baseUrl;
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const waiters of [this.inboundWaiters, this.structuredWaiters, this.receiptWaiters, this.eventWaiters]) waiters.rejectAll('FakeGenesys closed');
    await this.server.close();
  }

  /** POST /oauth/token requests received, failed ones included. */
  get tokenRequests(): number {
    return this.tokenRequestCount;
  }

  addClient(clientId: string, clientSecret: string, options: { tokenTtlS?: number } = {}): void {
    this.tokens.addClient(clientId, clientSecret, options);
  }

  expireAllTokens(): void {
    this.tokens.expireAll();
  }

  /** Registers an integration (or changes the settings given), as if created in the admin UI. */
  addIntegration(integrationId: string, settings: IntegrationSettings = {}): IntegrationRecord {
    return { ...this.integrations.upsert(integrationId, settings) };
  }

  integration(integrationId: string): IntegrationRecord | undefined {
    const record = this.integrations.get(integrationId);
    return record && { ...record };
  }

  failNext(route: GenesysRoute, times: number, failure: GenesysFailure): void {
    this.failures.add(route, times, failure);
  }

  /** Holds the answer of the next `times` requests to `route` for `ms` (the work is done before the wait). */
  stall(route: GenesysRoute, ms: number, times = 1): void {
    this.stalls.add(route, times, ms);
  }

  /** Forgets every scripted failure and stall not used yet, e.g. to end a time-boxed storm. */
  clearFaults(): void {
    this.failures.clear();
    this.stalls.clear();
  }

  waitForInbound(
    predicate: (message: InboundMessageRecord) => boolean = () => true,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<InboundMessageRecord[]> {
    return this.inboundWaiters.waitFor(predicate, count, timeoutMs);
  }

  waitForStructuredResponses(
    predicate: (response: InboundStructuredResponseRecord) => boolean = () => true,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<InboundStructuredResponseRecord[]> {
    return this.structuredWaiters.waitFor(predicate, count, timeoutMs);
  }

  /** Ends a customer's conversation, as an agent disconnecting it: the next inbound message opens a new one. */
  endConversation(integrationId: string, customerId: string): void {
    this.conversationStore.end(integrationId, customerId);
  }

  waitForReceipts(
    predicate: (receipt: InboundReceiptRecord) => boolean = () => true,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<InboundReceiptRecord[]> {
    return this.receiptWaiters.waitFor(predicate, count, timeoutMs);
  }

  waitForEvents(predicate: (event: InboundEventRecord) => boolean = () => true, count = 1, timeoutMs = 10_000): Promise<InboundEventRecord[]> {
    return this.eventWaiters.waitFor(predicate, count, timeoutMs);
  }

  /** Forgets recorded requests (transcripts stay: they are the sandbox's state, not test records). */
  clearRecorded(): void {
    for (const list of [this.inbound, this.structuredResponses, this.receipts, this.events, this.requests, this.agentMessages]) list.length = 0;
    for (const waiters of [this.inboundWaiters, this.structuredWaiters, this.receiptWaiters, this.eventWaiters]) waiters.resetScan();
  }

  /** Per (integration, customer) transcripts of the agent's view, for a sandbox page. */
  conversations(): ConversationView[] {
    return this.conversationStore.list();
  }

  /** Serves bytes at an api-downloads style URL and returns the attachment an agent message can carry. */
  hostDownload(bytes: Buffer, options: { mime: string; filename?: string }): AgentAttachment {
    const downloadId = randomUUID();
    this.downloads.set(downloadId, { bytes, mime: options.mime });
    return {
      id: downloadId,
      mediaType: mediaTypeOfMime(options.mime),
      url: `${this.baseUrl}/api/v2/downloads/${downloadId}`,
      mime: options.mime,
      ...(options.filename === undefined ? {} : { filename: options.filename }),
      contentSizeBytes: bytes.length,
    };
  }

  /**
   * Plays an agent (or typing) message: POSTs it to the integration's webhook signed with
   * `X-Hub-Signature-256`, once (Genesys' own retries are not modelled: see prepareAgentMessage).
   * Text and Structured messages join the transcript.
   */
  async sendAgentMessage(
    integrationId: string,
    input: AgentMessageInput,
  ): Promise<{ status: number; id: string; body: Record<string, unknown> }> {
    const prepared = this.prepareAgentMessage(integrationId, input);
    let result: WebhookResult;
    try {
      result = await postWebhook(prepared.webhookUrl, prepared.bytes, prepared.headers, {
        timeoutMs: WEBHOOK_TIMEOUT_MS,
        abortSignal: this.closing.signal,
      });
    } catch (error) {
      throw new Error(`posting agent message ${prepared.id} to the webhook of integration ${integrationId} failed`, { cause: error });
    }
    this.agentMessages.push({ integrationId, body: prepared.body, webhookStatus: result.status, atMs: prepared.atMs });
    return { status: result.status, id: prepared.id, body: prepared.body };
  }

  /**
   * Builds and signs an agent message as sendAgentMessage does (it joins the transcript) without
   * posting it, for a test that plays Genesys' webhook retries: it posts `bytes` with `headers` to
   * `webhookUrl` until the bridge answers 2xx, and may post the same bytes again.
   */
  prepareAgentMessage(integrationId: string, input: AgentMessageInput): PreparedAgentMessage {
    const integration = this.integrations.get(integrationId);
    if (!integration?.webhookUrl || !integration.webhookSecret) {
      throw new Error(`integration ${integrationId} needs a webhook URL and secret before agents can reply`);
    }
    const conversation = this.conversationStore.getOrCreate(integrationId, input.toId);
    const genesysMessageId = newGenesysMessageId();
    const nowMs = this.clock();
    const body = buildAgentMessage(integration, input, { genesysMessageId, conversationId: conversation.conversationId, nowMs });
    this.conversationStore.rememberAgentMessage(conversation.conversationId, genesysMessageId);
    if ((input.type ?? 'Text') !== 'Event') {
      conversation.messages.push({
        direction: 'Outbound',
        genesysMessageId,
        ...(input.text === undefined ? {} : { text: input.text }),
        attachments: input.attachment ? [{ ...input.attachment }] : [],
        ...(input.structured ? { structured: structuredClone(input.structured) } : {}),
        atMs: nowMs,
      });
    }
    const bytes = Buffer.from(JSON.stringify(body));
    const headers = { 'content-type': 'application/json', ...integration.webhookHeaders, 'x-hub-signature-256': hubSignature(bytes, integration.webhookSecret) };
    return { id: genesysMessageId, body, bytes, headers, webhookUrl: integration.webhookUrl, atMs: nowMs };
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAtMs = this.clock();
    const url = requestUrl(request);
    const method = request.method ?? 'GET';
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(request, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(response, 413, platformError(413, 'request.entity.too.large', error.message).body);
      throw error;
    }
    const { route, outcome } = this.decide(method, url, request.headers.authorization, rawBody);
    const messageId = route === 'message' || route === 'structured_response' || route === 'receipt' ? channelMessageIdOf(rawBody) : undefined;
    const record: GenesysRequestRecord = { route, method, path: url.pathname, status: outcome.status, atMs: this.clock(), startedAtMs, ...(messageId === undefined ? {} : { messageId }) };
    this.requests.push(record);

    const stallMs = route === 'unknown' ? undefined : this.stalls.take(route, undefined);
    if (stallMs !== undefined) await this.server.delay(stallMs);
    writeOutcome(response, outcome);
    record.answeredAtMs = this.clock();
  }

  private record<T>(list: T[], waiters: ArrivalWaiters<T>, entry: T): void {
    list.push(entry);
    waiters.notify();
  }

  private decide(
    method: string,
    url: URL,
    authorization: string | undefined,
    rawBody: Buffer,
  ): { route: GenesysRoute | 'unknown'; outcome: HttpOutcome } {
    if (url.pathname === '/oauth/token' && method === 'POST') {
      this.tokenRequestCount += 1;
      return { route: 'token', outcome: this.scripted('token') ?? this.tokens.issue(authorization, rawBody.toString('utf8')) };
    }
    const download = DOWNLOAD_PATH.exec(url.pathname);
    if (download && method === 'GET') {
      const file = this.downloads.get(download[1] ?? '');
      const outcome: HttpOutcome = file
        ? { status: 200, body: file.bytes, headers: { 'content-type': file.mime } }
        : notFound('No such download');
      return { route: 'download', outcome: this.scripted('download') ?? outcome };
    }
    const integrationsMatch = INTEGRATIONS_PATH.exec(url.pathname);
    const inboundMatch = INBOUND_PATH.exec(url.pathname);
    if (!integrationsMatch && !(inboundMatch && method === 'POST')) {
      return { route: 'unknown', outcome: notFound(`No route for ${method} ${url.pathname}`) };
    }
    const route: GenesysRoute = integrationsMatch ? 'integrations' : this.inboundRoute(inboundMatch?.[2]);

    const accessToken = bearerToken(authorization);
    if (accessToken === undefined) {
      const message = 'No authentication bearer token specified in authorization header.';
      return { route, outcome: platformError(401, 'authentication.required', message) };
    }
    if (!this.tokens.isValid(accessToken)) return { route, outcome: platformError(401, 'bad.credentials', 'Invalid login credentials.') };
    const scripted = this.scripted(route);
    if (scripted) return { route, outcome: scripted };
    if (integrationsMatch) {
      const integrationId = integrationsMatch[1] === undefined ? undefined : decodeURIComponent(integrationsMatch[1]);
      return { route, outcome: this.integrations.handleApi(method, integrationId, rawBody) };
    }

    const integrationId = decodeURIComponent(inboundMatch?.[1] ?? '');
    if (!this.integrations.get(integrationId)) return { route, outcome: notFound(`Open messaging integration ${integrationId} not found`) };
    const inboundRequest = { integrationId, accessToken, rawBody, nowMs: this.clock(), conversations: this.conversationStore };
    return { route, outcome: this.acceptInbound(route, inboundRequest, url) };
  }

  /** Runs an authenticated Open Messaging inbound request and records what it accepted. */
  private acceptInbound(route: GenesysRoute, inboundRequest: InboundRequest, url: URL): HttpOutcome {
    switch (route) {
      case 'message': {
        const prefetchConversationId = url.searchParams.get('prefetchConversationId')?.toLowerCase() === 'true';
        const { outcome, record } = acceptInboundMessage({ ...inboundRequest, prefetchConversationId });
        if (record) this.record(this.inbound, this.inboundWaiters, record);
        return outcome;
      }
      case 'structured_response': {
        const { outcome, record } = acceptStructuredResponse(inboundRequest);
        if (record) this.record(this.structuredResponses, this.structuredWaiters, record);
        return outcome;
      }
      case 'receipt': {
        const { outcome, record } = acceptInboundReceipt(inboundRequest);
        if (record) this.record(this.receipts, this.receiptWaiters, record);
        return outcome;
      }
      case 'event': {
        const { outcome, record } = acceptInboundEvent(inboundRequest);
        if (record) this.record(this.events, this.eventWaiters, record);
        return outcome;
      }
      default:
        throw new Error(`${route} is not an inbound route`);
    }
  }

  private inboundRoute(kind: string | undefined): GenesysRoute {
    if (kind === 'structured/response') return 'structured_response';
    return kind === 'receipt' ? 'receipt' : kind === 'event' ? 'event' : 'message';
  }

  private scripted(route: GenesysRoute): HttpOutcome | undefined {
    const failure = this.failures.take(route, undefined);
    return failure && scriptedFailure(failure.status, failure.retryAfterS, failure.body);
  }
}

function channelMessageIdOf(rawBody: Buffer): string | undefined {
  try {
    const messageId = (JSON.parse(rawBody.toString('utf8')) as { channel?: { messageId?: unknown } } | null)?.channel?.messageId;
    return typeof messageId === 'string' ? messageId : undefined;
  } catch {
    return undefined;
  }
}
