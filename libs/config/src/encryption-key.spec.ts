import { randomBytes } from 'node:crypto';
import { ConfigError } from './config-error.js';
import { parseEncryptionKey } from './encryption-key.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('parseEncryptionKey', () => {
  const key = randomBytes(32);

  it('reads 64 hex characters and base64 (padded, unpadded, URL alphabet) of 32 bytes', () => {
    expect(parseEncryptionKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('hex').toUpperCase()).equals(key)).toBe(true);
    expect(parseEncryptionKey(`  ${key.toString('base64')}\n`).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64').replace(/=+$/, '')).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64url')).equals(key)).toBe(true);
    expect(parseEncryptionKey(`${key.toString('base64url')}=`).equals(key)).toBe(true);
  });

  it('refuses a base64 spelling that is not the canonical one of its bytes, and mixed alphabets', () => {
    // 0xff…ff is "//…/w" in base64: "x" has low bits set that Node would drop, naming the same key.
    const ones = Buffer.alloc(32, 0xff).toString('base64').replace(/=+$/, '');
    expect(parseEncryptionKey(ones).equals(Buffer.alloc(32, 0xff))).toBe(true);
    expect(() => parseEncryptionKey(`${ones.slice(0, -1)}x`)).toThrow(ConfigError);
    expect(() => parseEncryptionKey(`+_${ones.slice(2)}`)).toThrow(ConfigError);
  });

  it('names ENCRYPTION_KEY in a ConfigError and never prints the value', () => {
    for (const bad of ['', 'ab'.repeat(31), 'ab'.repeat(33), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), 'not a key at all', `${key.toString('base64')}==`]) {
      const error = errorOf(() => parseEncryptionKey(bad));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('ENCRYPTION_KEY');
      if (bad) expect(error.message).not.toContain(bad);
    }
  });
});
