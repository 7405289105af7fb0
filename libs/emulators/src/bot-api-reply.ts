import type { UploadedFileWithBytes } from './request-body.js';
import type { BotState, TelegramFileStore } from './telegram-state.js';

/** The Bot API envelope (https://core.telegram.org/bots/api#making-requests); the HTTP status of an error equals `error_code`. */
export type BotApiReply =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/** What a Bot API method implementation gets to work with. */
export interface BotMethodCall {
  bot: BotState;
  params: Record<string, unknown>;
  uploads: UploadedFileWithBytes[];
  files: TelegramFileStore;
  nowMs: number;
}

export type BotMethod = (call: BotMethodCall) => BotApiReply;

export function ok(result: unknown, description?: string): BotApiReply {
  return description === undefined ? { ok: true, result } : { ok: true, result, description };
}

export function failure(status: number, description: string, retryAfterS?: number): BotApiReply {
  return retryAfterS === undefined
    ? { ok: false, error_code: status, description }
    : { ok: false, error_code: status, description, parameters: { retry_after: retryAfterS } };
}

export function badRequest(detail: string): BotApiReply {
  return failure(400, `Bad Request: ${detail}`);
}

/** A parameter as text: JSON bodies may carry numbers where urlencoded/multipart carry strings. */
export function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
