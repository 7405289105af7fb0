import {
  OpenInboundMessageResponse,
  PermanentError,
  RetryableError,
  type OpenInboundMessage,
  type OpenInboundReceipt,
  type OpenInboundStructuredResponse,
} from '@tgg/contracts';
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

  private async request(route: Route, method: 'GET' | 'POST', path: string, body?: unknown, isRetryAfter401 = false): Promise<unknown> {
    const accessToken = await this.options.tokens.token();
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${this.options.apiBaseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      this.options.onRequest?.(route, 'error', (performance.now() - started) / 1000);
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new RetryableError(timedOut ? `Genesys ${route} request timed out` : `Genesys ${route} request failed to connect`, timedOut ? 'genesys_timeout' : 'genesys_unreachable', undefined, { cause: error });
    }
    this.options.onRequest?.(route, response.status, (performance.now() - started) / 1000);
    const verdict = classifyGenesysResponse(response.status, response.headers, Date.now());
    if (verdict === 'ok') {
      const text = await response.text();
      return text ? safeJson(text) : undefined;
    }
    const contextId = await readContextId(response);
    if (verdict === 'refresh-token') {
      this.options.tokens.invalidate(accessToken);
      if (isRetryAfter401) throw new RetryableError(`Genesys ${route} answered 401 twice${contextId}`, 'genesys_unauthorized', 30_000);
      return this.request(route, method, path, body, true);
    }
    if (verdict instanceof RetryableError) throw new RetryableError(`${verdict.message}${contextId}`, verdict.code, verdict.retryAfterMs);
    throw new PermanentError(`${verdict.message}${contextId}`, verdict.code);
  }
}

async function readContextId(response: Response): Promise<string> {
  const body = safeJson(await response.text().catch(() => ''));
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
