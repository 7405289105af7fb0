/**
 * The bot token travels in Bot API URL paths (`/bot<token>/method`, `/file/bot<token>/path`).
 * Kept apart from logger.ts so the tracing setup can use it without loading pino first.
 */
const BOT_TOKEN_IN_URL = /\/(file\/)?bot[^/]+\//g;

/** `https://api.telegram.org/bot123:abc/sendMessage` → `https://api.telegram.org/bot<redacted>/sendMessage`. */
export function redactBotToken(text: string): string {
  return text.replace(BOT_TOKEN_IN_URL, (_match, file: string | undefined) => `/${file ?? ''}bot<redacted>/`);
}
