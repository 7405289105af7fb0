import { PermanentError, RetryableError } from '@tgg/contracts';
import fc from 'fast-check';
import { classifyGenesysResponse, retryAfterMs } from './response-classification.js';

const nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
const withHeaders = (headers: Record<string, string> = {}) => new Headers(headers);

describe('classifyGenesysResponse', () => {
  it('answers ok for 2xx and refresh-token for 401', () => {
    expect(classifyGenesysResponse(200, withHeaders(), nowMs)).toBe('ok');
    expect(classifyGenesysResponse(202, withHeaders(), nowMs)).toBe('ok');
    expect(classifyGenesysResponse(401, withHeaders(), nowMs)).toBe('refresh-token');
  });

  it.each([408, 429, 500, 502, 503, 504])('makes %i retryable', (status) => {
    const result = classifyGenesysResponse(status, withHeaders(), nowMs);
    expect(result).toBeInstanceOf(RetryableError);
    expect(result).toMatchObject({ code: `genesys_${status}`, retryAfterMs: undefined });
  });

  it('honours Retry-After in seconds', () => {
    expect(classifyGenesysResponse(429, withHeaders({ 'Retry-After': '7' }), nowMs)).toMatchObject({ retryAfterMs: 7_000 });
  });

  it('honours Retry-After as an HTTP-date, never negative', () => {
    const in30s = new Date(nowMs + 30_000).toUTCString();
    expect(classifyGenesysResponse(503, withHeaders({ 'Retry-After': in30s }), nowMs)).toMatchObject({ retryAfterMs: 30_000 });
    const past = new Date(nowMs - 30_000).toUTCString();
    expect(classifyGenesysResponse(503, withHeaders({ 'Retry-After': past }), nowMs)).toMatchObject({ retryAfterMs: 0 });
  });

  it('ignores an unreadable Retry-After', () => {
    for (const value of ['soon', '-5', '1.5', '']) {
      expect(classifyGenesysResponse(429, withHeaders({ 'Retry-After': value }), nowMs)).toMatchObject({ retryAfterMs: undefined });
    }
  });

  it.each([400, 403, 404, 409, 413, 422])('makes %i permanent with the status in the code', (status) => {
    const result = classifyGenesysResponse(status, withHeaders(), nowMs);
    expect(result).toBeInstanceOf(PermanentError);
    expect(result).toMatchObject({ code: `genesys_${status}`, retryable: false });
  });

  it('classifies every status without throwing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.option(fc.string(), { nil: undefined }), (status, retryAfter) => {
        const headers = withHeaders(retryAfter === undefined ? {} : { 'Retry-After': retryAfter.replace(/[^\x20-\x7e]/g, '') });
        const result = classifyGenesysResponse(status, headers, nowMs);
        if (result instanceof RetryableError && result.retryAfterMs !== undefined) expect(result.retryAfterMs).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds', () => {
    expect(retryAfterMs(' 120 ', nowMs)).toBe(120_000);
    expect(retryAfterMs('0', nowMs)).toBe(0);
  });

  it('reads an HTTP-date (IMF-fixdate and the obsolete forms RFC 9110 §5.6.7 still accepts), never negative', () => {
    expect(retryAfterMs('Thu, 01 Jan 2026 12:01:00 GMT', nowMs)).toBe(60_000);
    expect(retryAfterMs('Thursday, 01-Jan-26 12:01:00 GMT', nowMs)).toBe(60_000);
    expect(retryAfterMs('Thu Jan  1 12:01:00 2026', nowMs)).toBe(60_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 11:59:00 GMT', nowMs)).toBe(0);
  });

  it('answers undefined for an absent or unreadable value', () => {
    for (const junk of [null, '', 'soon', '-5', '1.5', '1e3', '0x10', '2026-01-01T12:01:00Z', 'Thu, 99 Foo 2026 99:99:99 GMT']) {
      expect(retryAfterMs(junk, nowMs)).toBeUndefined();
    }
  });
});
