import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Genesys outbound webhook signature (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html):
 * `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(raw body bytes, secret)>`. Base64 with the
 * standard alphabet and padding, not hex (unlike GitHub's header of the same name). Always over
 * the raw bytes: re-serialised JSON can differ from what Genesys signed.
 */

const HEADER_PATTERN = /^sha256=[A-Za-z0-9+/]{43}=$/; // 32 bytes in padded base64

export function isValidGenesysSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  // An empty secret would let anyone compute the signature.
  if (header === undefined || secret.length === 0) return false;
  const given = header.trim();
  if (!HEADER_PATTERN.test(given)) return false;
  // Compared as text, so a non-canonical base64 spelling of the right bytes is refused too.
  const expected = Buffer.from(signGenesysWebhook(rawBody, secret), 'ascii');
  const actual = Buffer.from(given, 'ascii');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The header value Genesys would send for `rawBody` (for fakes and tests). */
export function signGenesysWebhook(rawBody: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('base64')}`;
}
