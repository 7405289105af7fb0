import { BridgeError, ChatBlockedError, PermanentError, RetryableError, type ReceiptReasonCode } from '@tgg/contracts';
import { z } from 'zod';

/**
 * Telegram Bot API answers → our error classes, and errors → Genesys receipt reasons. Messages are
 * built from Telegram's `description` only: request URLs carry the bot token (`/bot<token>/…`), so
 * nothing URL-shaped may reach an error message, a log line or a receipt.
 */

// Loose on purpose: an odd error body must still classify by status, never throw.
const TelegramErrorBody = z.looseObject({
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.number().nonnegative().optional() }).optional(),
});

// Terminal for this chat until the user writes again or unblocks (https://core.telegram.org/bots/api#making-requests: the `description` of a 403).
const BLOCKED_DESCRIPTIONS = ['bot was blocked by the user', 'user is deactivated', "bot can't initiate conversation", 'bot was kicked'];
const MAX_DESCRIPTION_LENGTH = 200;

export function classifyTelegramResponse(status: number, body: unknown): 'ok' | RetryableError | PermanentError {
  if (status >= 200 && status < 300) return 'ok';
  const parsed = TelegramErrorBody.safeParse(body);
  const errorBody = parsed.success ? parsed.data : {};
  const description = redactTokens(errorBody.description ?? '').slice(0, MAX_DESCRIPTION_LENGTH);
  const message = description ? `Telegram ${status}: ${description}` : `Telegram ${status}`;

  if (status === 429) {
    const retryAfterS = errorBody.parameters?.retry_after;
    return new RetryableError(message, 'telegram_429', retryAfterS === undefined ? undefined : retryAfterS * 1_000);
  }
  if (status >= 500 && status < 600) return new RetryableError(message, `telegram_${status}`);
  if (status === 401) return new PermanentError(message, 'telegram_unauthorized');
  const lowerDescription = description.toLowerCase();
  if (status === 403 && BLOCKED_DESCRIPTIONS.some((blocked) => lowerDescription.includes(blocked))) {
    return new ChatBlockedError(message, 'telegram_blocked');
  }
  // Other 4xx, and statuses Telegram never sends (a proxy or a wrong base URL): retrying won't help.
  return new PermanentError(message, `telegram_${status}`);
}

/** getFile refused a file over the hosted Bot API's 20 MB download limit (`400 Bad Request: file is too big`). */
export function isFileTooBigError(error: unknown): boolean {
  return error instanceof BridgeError && error.code === 'telegram_400' && error.message.toLowerCase().includes('file is too big');
}

// Checked in order; the first rule whose code matches, and one of whose description fragments
// (if it lists any) occurs in the message, decides (https://developer.genesys.cloud/commdigital/digital/openmessaging/inboundReceiptMessages).
interface ReasonRule {
  codes: readonly string[];
  fragments?: readonly string[];
  reason: ReceiptReasonCode;
}
const REASON_RULES: readonly ReasonRule[] = [
  { codes: ['telegram_blocked'], reason: 'RecipientOptedOut' },
  { codes: ['telegram_400'], fragments: ['chat not found', 'peer_id_invalid'], reason: 'InvalidDestination' },
  { codes: ['telegram_400'], fragments: ['file is too big'], reason: 'InvalidMediaContentLength' },
  { codes: ['telegram_413'], reason: 'InvalidMediaContentLength' },
  {
    codes: ['telegram_400'],
    fragments: ['wrong file identifier', 'failed to get http url content', 'wrong type of the web page content', 'invalid file_id'],
    reason: 'UnsupportedMessage',
  },
  { codes: ['telegram_400'], fragments: ['message is too long', "can't parse entities", 'message text is empty'], reason: 'InvalidMessageStructure' },
  { codes: ['telegram_429'], reason: 'RateLimited' },
  // For Genesys content we cannot render in Telegram (e.g. a carousel); the outbound worker throws it.
  { codes: ['unsupported_content'], reason: 'UnsupportedMessage' },
];

/**
 * The `Failed` receipt reason for an error that ended a delivery. Our own errors keep their message
 * (built from Telegram's description); anything else becomes a fixed text, since a foreign error's
 * message may contain a request URL and so the bot token.
 */
export function receiptReasonFor(error: unknown): { code: ReceiptReasonCode; message: string } {
  if (!(error instanceof BridgeError)) return { code: 'GeneralError', message: 'unexpected error while delivering to Telegram' };
  const message = redactTokens(error.message).slice(0, 500);
  const lowerMessage = message.toLowerCase();
  const rule = REASON_RULES.find(
    ({ codes, fragments }) => codes.includes(error.code) && (fragments?.some((fragment) => lowerMessage.includes(fragment)) ?? true),
  );
  if (rule) return { code: rule.reason, message };
  // Retry budget spent on a transient failure (5xx, network, timeout).
  if (error instanceof RetryableError) return { code: 'ServerError', message };
  return { code: 'GeneralError', message };
}

/** Defence in depth: a bot token (`<bot id>:<35 chars>`) anywhere in a text becomes `[redacted]`. */
function redactTokens(text: string): string {
  return text.replace(/(?:bot)?\d{3,}:[A-Za-z0-9_-]{30,}/g, '[redacted]');
}
