import { createHash, randomBytes } from 'node:crypto';
import { CliError } from './cli-error.js';
import type { CliContext } from './cli-context.js';

/** Telegram's secret_token alphabet and length (https://core.telegram.org/bots/api#setwebhook, secret_token). */
const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{1,256}$/;
/** The same loose shape loadConfig accepts for TELEGRAM_BOT_TOKEN (emulator tokens included). */
const BOT_TOKEN = /^\d+:[A-Za-z0-9_-]+$|^[A-Za-z0-9_:-]{8,}$/;

/** 256 random bits as base64url: 43 characters, all inside Telegram's secret_token alphabet. */
export function generateTelegramWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 256 random bits; Genesys requires more than 15 characters (https://help.mypurecloud.com/articles/configure-an-open-messaging-integration/). */
export function generateGenesysWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 32 bits of SHA-256: tells two secrets apart in output, useless for guessing a random one. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 8)}`;
}

/**
 * A secret from an environment variable or stdin — never argv, which every user of the machine
 * can read with `ps`. Errors name the variable, never its value.
 */
export async function readSecret(
  context: CliContext,
  source: { envVar?: string; stdin?: boolean },
  what: { label: string; optionPrefix: string; pattern: RegExp; rule: string },
): Promise<string | undefined> {
  if (source.envVar !== undefined && source.stdin) throw new CliError(`give ${what.label} by --${what.optionPrefix}-env or --${what.optionPrefix}-stdin, not both`);
  let value: string | undefined;
  if (source.envVar !== undefined) {
    value = context.env[source.envVar]?.trim();
    if (!value) throw new CliError(`environment variable ${source.envVar} (${what.label}) is not set or empty`);
  } else if (source.stdin) {
    value = (await context.io.readStdinLine(`${what.label}`)).trim();
    if (!value) throw new CliError(`no ${what.label} on stdin`);
  }
  if (value !== undefined && !what.pattern.test(value)) throw new CliError(`${what.label} is malformed: ${what.rule}`);
  return value;
}

export const SECRET_SHAPES = {
  botToken: { label: 'bot token', optionPrefix: 'bot-token', pattern: BOT_TOKEN, rule: 'expected <bot id>:<token> as @BotFather prints it' },
  telegramWebhookSecret: { label: 'Telegram webhook secret', optionPrefix: 'webhook-secret', pattern: TELEGRAM_SECRET, rule: '1-256 characters of A-Z a-z 0-9 _ -' },
  genesysWebhookSecret: { label: 'Genesys webhook secret', optionPrefix: 'genesys-secret', pattern: /^\S{16,}$/, rule: 'more than 15 characters, no spaces' },
} as const;
