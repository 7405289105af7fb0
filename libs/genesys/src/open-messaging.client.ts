import {
  OpenInboundMessageResponse,
  PermanentError,
  RetryableError,
  type OpenInboundMessage,
  type OpenInboundReceipt,
  type OpenInboundStructuredResponse,
} from '@tgg/contracts';
import { request, type Dispatcher } from 'undici';
import { classifyGenesysResponse } from './response-classification.js';
import type { GenesysTokenCache } from './token-cache.js';

export interface OpenMessagingClientOptions {
  apiBaseUrl: string;
  tokens: GenesysTokenCache;
  timeoutMs?: number;
  onRequest?: (route: string, status: number | 'error', durationS: number) => void;
}

type Route = 'message' | 'structured_response' | 'receipt' | 'integrations';

/**
 * Genesys Cloud Open Messaging over HTTP. Translates every answer at the edge: 2xx → data,
 * 401 → one retry with a fresh token, 429/5xx/timeout → RetryableError (with Retry-After),
 * other 4xx → PermanentError. Error messages carry status and Genesys' contextId, never bodies we sent.
 */
export class OpenMessagingClient {
  constructor(private readonly options: OpenMessagingClientOptions) {}

  /** Posts a customer message; `prefetchConversationId` makes the answer carry the conversation id. */
  async sendInboundMessage(integrationId: string, message: OpenInboundMessage): Promise<OpenInboundMessageResponse> {
    const body = await this.request('message', 'POST', `/api/v2/conversations/messages/${encodeURIComponent(integrationId)}/inbound/open/message?prefetchConversationId=true`, message);
    const parsed = OpenInboundMessageResponse.safeParse(body);
    return parsed.success ? parsed.data : {};
  }

  /**
   * Posts a customer's tap on a quick reply / button (its answer has a message's shape). Without
   * `prefetchConversationId`: it is documented for /inbound/open/message only.
   */
  async sendStructuredResponse(integrationId: string, response: OpenInboundStructuredResponse): Promise<OpenInboundMessageResponse> {
    const body = await this.request('structured_response', 'POST', `/api/v2/conversations/messages/${encodeURIComponent(integrationId)}/inbound/open/structured/response`, response);
    const parsed = OpenInboundMessageResponse.safeParse(body);
    return parsed.success ? parsed.data : {};
  }

  async sendReceipt(integrationId: string, receipt: OpenInboundReceipt): Promise<void> {
    await this.request('receipt', 'POST', `/api/v2/conversations/messages/${encodeURIComponent(integrationId)}/inbound/open/receipt`, receipt);
  }

  async createIntegration(request: { name: string; outboundNotificationWebhookUrl: string; outboundNotificationWebhookSignatureSecretToken: string }): Promise<unknown> {
    return this.request('integrations', 'POST', '/api/v2/conversations/messaging/integrations/open', request);
  }

  async getIntegration(integrationId: string): Promise<unknown> {
    return this.request('integrations', 'GET', `/api/v2/conversations/messaging/integrations/open/${encodeURIComponent(integrationId)}`);
  }

  /**
   * undici's `request`, not the global fetch: the dispatcher makes one Genesys call per message, and
   * a CPU profile under load put a fifth of its time in fetch's machinery (WHATWG streams, an
   * AbortSignal per call); `request` keeps the same keep-alive pool for a fraction of that
   * (docs/performance.md). Timeouts are undici's own: headers, then body, each `timeoutMs`.
   */
  private async request(route: Route, method: 'GET' | 'POST', path: string, body?: unknown, isRetryAfter401 = false): Promise<unknown> {
    const accessToken = await this.options.tokens.token();
    const started = performance.now();
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(`${this.options.apiBaseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      text = await response.body.text();
    } catch (error) {
      this.options.onRequest?.(route, 'error', (performance.now() - started) / 1000);
      const timedOut = isTimeout(error);
      throw new RetryableError(timedOut ? `Genesys ${route} request timed out` : `Genesys ${route} request failed to connect`, timedOut ? 'genesys_timeout' : 'genesys_unreachable', undefined, { cause: error });
    }
    this.options.onRequest?.(route, response.statusCode, (performance.now() - started) / 1000);
    const verdict = classifyGenesysResponse(response.statusCode, headerReader(response.headers), Date.now());
    if (verdict === 'ok') return text ? safeJson(text) : undefined;
    const contextId = contextIdOf(text);
    if (verdict === 'refresh-token') {
      this.options.tokens.invalidate(accessToken);
      if (isRetryAfter401) throw new RetryableError(`Genesys ${route} answered 401 twice${contextId}`, 'genesys_unauthorized', 30_000);
      return this.request(route, method, path, body, true);
    }
    if (verdict instanceof RetryableError) throw new RetryableError(`${verdict.message}${contextId}`, verdict.code, verdict.retryAfterMs);
    throw new PermanentError(`${verdict.message}${contextId}`, verdict.code);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && TIMEOUT_CODES.has(code);
}

/** undici hands headers over as a lower-cased record; the classification reads them like fetch's Headers. */
function headerReader(headers: Dispatcher.ResponseData['headers']): { get(name: string): string | null } {
  return {
    get: (name) => {
      const value = headers[name.toLowerCase()];
      return (Array.isArray(value) ? value[0] : value) ?? null;
    },
  };
}

function contextIdOf(text: string): string {
  const body = safeJson(text);
  const contextId = typeof body === 'object' && body !== null ? (body as { contextId?: unknown }).contextId : undefined;
  return typeof contextId === 'string' ? ` (contextId ${contextId})` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
