export interface WebhookResult {
  status: number;
  /** `Retry-After` of the answer in seconds, when the receiver asked for back-pressure. */
  retryAfterS?: number;
  responseText: string;
}

/**
 * POSTs exact bytes to a webhook the way the real platforms do. The caller passes bytes, not an
 * object, so a signature it computed covers precisely what goes over the wire.
 */
export async function postWebhook(
  url: string,
  bodyBytes: Buffer,
  headers: Record<string, string>,
  options: { timeoutMs: number; abortSignal: AbortSignal },
): Promise<WebhookResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: bodyBytes,
    signal: AbortSignal.any([options.abortSignal, AbortSignal.timeout(options.timeoutMs)]),
  });
  const responseText = await response.text();
  const retryAfterHeader = response.headers.get('retry-after');
  const retryAfterS = retryAfterHeader === null ? undefined : Number(retryAfterHeader);
  return {
    status: response.status,
    responseText,
    ...(retryAfterS !== undefined && Number.isFinite(retryAfterS) ? { retryAfterS } : {}),
  };
}
