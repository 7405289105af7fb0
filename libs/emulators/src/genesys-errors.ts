import { randomUUID } from 'node:crypto';
import type { HttpOutcome } from './http-server.js';

/** The platform-wide error body (https://developer.genesys.cloud/forum/t/normalized-platform-api-429-responses/12028); `contextId` is what Genesys support asks for. */
export function platformError(status: number, code: string, message: string, details: unknown[] = []): HttpOutcome {
  return { status, body: { message, code, status, contextId: randomUUID(), details, errors: [] } };
}

export const badRequest = (message: string, details: unknown[] = []): HttpOutcome => platformError(400, 'bad.request', message, details);
export const notFound = (message: string): HttpOutcome => platformError(404, 'not.found', message);

/** The normalized 429 of Nov 2021 (https://developer.genesys.cloud/forum/t/normalized-platform-api-429-responses/12028), with the header clients are told to honour. */
export function rateLimited(retryAfterS: number): HttpOutcome {
  return {
    ...platformError(429, 'too.many.requests.retry.after', `Rate limit exceeded the maximum. Retry the request in [${retryAfterS}] seconds`),
    headers: { 'retry-after': String(retryAfterS) },
  };
}

const DEFAULT_ERRORS: ReadonlyMap<number, { code: string; message: string }> = new Map([
  [400, { code: 'bad.request', message: 'The request could not be understood by the server due to malformed syntax.' }],
  [401, { code: 'bad.credentials', message: 'Invalid login credentials.' }],
  [403, { code: 'missing.permissions', message: 'Unable to perform the requested action. You are missing the following permission(s).' }],
  [404, { code: 'not.found', message: 'The requested resource was not found.' }],
  [500, { code: 'internal.server.error', message: 'The server encountered an unexpected condition.' }],
  [502, { code: 'bad.gateway', message: 'The server received an invalid response from an upstream server.' }],
  [503, { code: 'service.unavailable', message: 'Service Unavailable - The server is currently unavailable.' }],
  [504, { code: 'gateway.timeout', message: 'The request timed out.' }],
]);

/** A scripted failure as Genesys would word it, unless the test supplied its own body. */
export function scriptedFailure(status: number, retryAfterS: number | undefined, body: unknown): HttpOutcome {
  const retryHeader: Record<string, string> = retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) };
  if (body !== undefined) return { status, body, headers: retryHeader };
  if (status === 429) return rateLimited(retryAfterS ?? 1);
  const known = DEFAULT_ERRORS.get(status) ?? { code: 'error', message: `Scripted failure ${status}` };
  return { ...platformError(status, known.code, known.message), headers: retryHeader };
}
