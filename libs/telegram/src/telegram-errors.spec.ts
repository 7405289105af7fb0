import { ChatBlockedError, PermanentError, RetryableError } from '@tgg/contracts';
import fc from 'fast-check';
import { classifyTelegramResponse, isFileTooBigError, receiptReasonFor } from './telegram-errors.js';

const botToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const failure = (errorCode: number, description: string, parameters?: object) => ({ ok: false, error_code: errorCode, description, parameters });

describe('classifyTelegramResponse', () => {
  it('answers ok for 2xx', () => {
    expect(classifyTelegramResponse(200, { ok: true, result: {} })).toBe('ok');
    expect(classifyTelegramResponse(204, undefined)).toBe('ok');
  });

  it('makes a 429 retryable after parameters.retry_after seconds', () => {
    const result = classifyTelegramResponse(429, failure(429, 'Too Many Requests: retry after 7', { retry_after: 7 }));
    expect(result).toBeInstanceOf(RetryableError);
    expect(result).toMatchObject({ code: 'telegram_429', retryAfterMs: 7_000, message: 'Telegram 429: Too Many Requests: retry after 7' });
  });

  it('makes a 429 without retry_after retryable with no fixed delay', () => {
    expect(classifyTelegramResponse(429, 'not json')).toMatchObject({ code: 'telegram_429', retryAfterMs: undefined });
  });

  it('makes 5xx retryable', () => {
    for (const status of [500, 502, 503, 504]) {
      const result = classifyTelegramResponse(status, failure(status, 'Internal Server Error'));
      expect(result).toBeInstanceOf(RetryableError);
      expect(result).toMatchObject({ code: `telegram_${status}` });
    }
  });

  it.each([
    'Forbidden: bot was blocked by the user',
    'Forbidden: user is deactivated',
    "Forbidden: bot can't initiate conversation with a user",
    'Forbidden: bot was kicked from the supergroup chat',
  ])('marks the chat blocked on 403 %s', (description) => {
    const result = classifyTelegramResponse(403, failure(403, description));
    expect(result).toBeInstanceOf(ChatBlockedError);
    expect(result).toMatchObject({ code: 'telegram_blocked', retryable: false });
  });

  it('keeps other 403s permanent but not blocking', () => {
    const result = classifyTelegramResponse(403, failure(403, 'Forbidden: not enough rights to send text messages to the chat'));
    expect(result).toBeInstanceOf(PermanentError);
    expect(result).not.toBeInstanceOf(ChatBlockedError);
    expect(result).toMatchObject({ code: 'telegram_403' });
  });

  it('makes 401 a permanent unauthorized error', () => {
    expect(classifyTelegramResponse(401, failure(401, 'Unauthorized'))).toMatchObject({ code: 'telegram_unauthorized', retryable: false });
  });

  it('makes other 4xx permanent with the status in the code', () => {
    const result = classifyTelegramResponse(400, failure(400, 'Bad Request: chat not found'));
    expect(result).toBeInstanceOf(PermanentError);
    expect(result).toMatchObject({ code: 'telegram_400', message: 'Telegram 400: Bad Request: chat not found' });
  });

  it('classifies any status and body without throwing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.anything(), (status, body) => {
        const result = classifyTelegramResponse(status, body);
        if (status >= 200 && status < 300) expect(result).toBe('ok');
        else expect(result === 'ok').toBe(false);
      }),
    );
  });

  it('never puts a bot token into the message, even if a description carried one', () => {
    const result = classifyTelegramResponse(400, failure(400, `Bad Request: https://api.telegram.org/bot${botToken}/sendMessage`));
    expect(result === 'ok' ? '' : result.message).not.toContain(botToken);
  });
});

describe('isFileTooBigError', () => {
  it('recognises getFile refusing a file over 20 MB, and nothing else', () => {
    expect(isFileTooBigError(classifyTelegramResponse(400, { ok: false, error_code: 400, description: 'Bad Request: file is too big' }))).toBe(true);
    expect(isFileTooBigError(classifyTelegramResponse(400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' }))).toBe(false);
    expect(isFileTooBigError(classifyTelegramResponse(500, { ok: false, error_code: 500, description: 'file is too big' }))).toBe(false);
    expect(isFileTooBigError(new Error('Telegram 400: Bad Request: file is too big'))).toBe(false);
  });
});

describe('receiptReasonFor', () => {
  const reasonOf = (status: number, description: string, parameters?: object) => {
    const result = classifyTelegramResponse(status, failure(status, description, parameters));
    return receiptReasonFor(result);
  };

  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'RecipientOptedOut'],
    [403, 'Forbidden: user is deactivated', 'RecipientOptedOut'],
    [400, 'Bad Request: chat not found', 'InvalidDestination'],
    [400, 'Bad Request: PEER_ID_INVALID', 'InvalidDestination'],
    [429, 'Too Many Requests: retry after 7', 'RateLimited'],
    [400, 'Bad Request: message is too long', 'InvalidMessageStructure'],
    [400, "Bad Request: can't parse entities: unexpected end tag", 'InvalidMessageStructure'],
    [400, 'Bad Request: message text is empty', 'InvalidMessageStructure'],
    [400, 'Bad Request: wrong file identifier/HTTP URL specified', 'UnsupportedMessage'],
    [400, 'Bad Request: failed to get HTTP URL content', 'UnsupportedMessage'],
    [400, 'Bad Request: file is too big', 'InvalidMediaContentLength'],
    [413, 'Request Entity Too Large', 'InvalidMediaContentLength'],
    [502, 'Bad Gateway', 'ServerError'],
    [400, 'Bad Request: something new', 'GeneralError'],
    [401, 'Unauthorized', 'GeneralError'],
  ])('maps %i %s to %s', (status, description, code) => {
    expect(reasonOf(status, description)).toEqual({ code, message: `Telegram ${status}: ${description}` });
  });

  it('maps a retryable network failure to ServerError and unsupported Genesys content to UnsupportedMessage', () => {
    expect(receiptReasonFor(new RetryableError('Telegram request timed out', 'telegram_timeout')).code).toBe('ServerError');
    expect(receiptReasonFor(new PermanentError('carousel cannot be shown in Telegram', 'unsupported_content')).code).toBe('UnsupportedMessage');
  });

  it('replaces the message of a foreign error, which may hold a request URL', () => {
    const reason = receiptReasonFor(new TypeError(`fetch failed: https://api.telegram.org/bot${botToken}/sendMessage`));
    expect(reason).toEqual({ code: 'GeneralError', message: 'unexpected error while delivering to Telegram' });
  });

  it('redacts a bot token that slipped into one of our own error messages', () => {
    const reason = receiptReasonFor(new RetryableError(`GET /bot${botToken}/getFile timed out`, 'telegram_timeout'));
    expect(reason.message).not.toContain(botToken);
    expect(reason.message).toContain('[redacted]');
  });
});
