import { PermanentError, RetryableError } from '@tgg/contracts';

/**
 * What a Genesys API status means for the caller (https://developer.genesys.cloud/forum/t/normalized-platform-api-429-responses/12028): 2xx done;
 * 401 refresh the OAuth token once and retry; 408, 429 and 5xx retry later, after Retry-After
 * when given; anything else (other 4xx: bad request, missing permission, unknown integration)
 * cannot succeed by retrying.
 */
export function classifyGenesysResponse(
  status: number,
  headers: { get(name: string): string | null },
  nowMs: number,
): 'ok' | 'refresh-token' | RetryableError | PermanentError {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401) return 'refresh-token';
  const code = `genesys_${status}`;
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    return new RetryableError(`Genesys answered ${status}`, code, retryAfterMs(headers.get('retry-after'), nowMs));
  }
  return new PermanentError(`Genesys answered ${status}`, code);
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // Only date-shaped values: Date.parse also accepts bare numbers and odd strings.
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return undefined;
  // An HTTP-date is always GMT; the asctime form does not say so, and Date.parse would read it as local time.
  const atMs = Date.parse(/ GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(atMs) ? undefined : Math.max(0, atMs - nowMs);
}
