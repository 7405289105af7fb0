import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { traceFields } from './log-trace-fields.js';

export { redactBotToken } from './redact-url.js';

/**
 * Paths pino blanks out wherever they appear. The bot token also hides inside Bot API URLs
 * (/bot<token>/…): clients log only `redactBotToken(url)`, never the raw URL.
 */
export const REDACT_PATHS = [
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
  'headers["x-hub-signature-256"]',
  'headers.authorization',
  // The ops console's session cookie (apps/dispatcher/src/ops).
  'req.headers.cookie',
  'headers.cookie',
  '*.botToken',
  '*.clientSecret',
  '*.accessToken',
  '*.webhookSecret',
  '*.encryptionKey',
  '*.secret',
  '*.password',
];

export interface LoggerSettings {
  level: string;
  pretty: boolean;
}

export function createLogger(service: string, settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: () => traceFields(),
    // The signed query of media links is a credential for an hour: log the path only.
    serializers: { req: (req: { method?: string; url?: string; id?: unknown }) => ({ id: req.id, method: req.method, url: stripQuery(req.url) }) },
  };
  if (destination) return pino(options, destination);
  if (!settings.pretty) return pino(options);
  return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true }));
}

function stripQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}
