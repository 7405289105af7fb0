import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of the X-Telegram-Bot-Api-Secret-Token header with the channel's secret.
 * Both sides are hashed first so the comparison never leaks the secret's length either.
 */
export function isValidTelegramSecret(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const givenDigest = createHash('sha256').update(given).digest();
  const expectedDigest = createHash('sha256').update(expected).digest();
  return timingSafeEqual(givenDigest, expectedDigest);
}
