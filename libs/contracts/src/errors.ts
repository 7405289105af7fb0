// No framework imports: every lib and app shares these.

/** A failure that says whether trying again can help. */
export abstract class BridgeError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Trying again cannot help (bad input, 4xx other than 401/429): dead-letter it. */
export class PermanentError extends BridgeError {
  readonly retryable = false;
}

/** Trying again may help (429, 5xx, timeouts, a dependency down); `retryAfterMs` when the far side said when. */
export class RetryableError extends BridgeError {
  readonly retryable = true;
  constructor(message: string, code: string, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/** The user blocked the bot or was deactivated (Telegram 403): terminal for this chat. */
export class ChatBlockedError extends PermanentError {}

export function isRetryable(error: unknown): boolean {
  return error instanceof BridgeError ? error.retryable : true;
}
