import { ConfigError } from './config-error.js';

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
/** 32 bytes in base64: 43 characters of one alphabet (standard or URL-safe), then at most the one pad. */
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;

/**
 * ENCRYPTION_KEY (and each ENCRYPTION_KEY_PREVIOUS entry): 32 bytes written as 64 hex characters or
 * as base64 (standard or URL alphabet, padded or not), surrounding white space ignored. The base64
 * must be the canonical spelling of its bytes, so two different strings never name the same key.
 * The error never echoes the value.
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed)) {
    const urlAlphabet = /[-_]/.test(trimmed);
    const key = Buffer.from(trimmed, urlAlphabet ? 'base64url' : 'base64');
    // Node ignores the unused low bits of the last character; a non-canonical spelling is refused.
    const canonical = key.toString(urlAlphabet ? 'base64url' : 'base64').replace(/=+$/, '');
    if (key.length === KEY_BYTES && canonical === trimmed.replace(/=$/, '')) return key;
  }
  throw new ConfigError('invalid environment variable: ENCRYPTION_KEY — 32 bytes written as 64 hex characters or base64');
}
