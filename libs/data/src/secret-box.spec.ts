import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SecretBox, SecretBoxError, keyIdOf } from './secret-box.js';

const botToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an Error');
}

/** Replaces one base64 field of `v1:<keyId>:<iv>:<tag>:<ct>` by a same-length variant. */
function tamperField(encrypted: string, fieldIndex: number): string {
  const fields = encrypted.split(':');
  const bytes = Buffer.from(fields[fieldIndex] ?? '', 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  fields[fieldIndex] = bytes.toString('base64');
  return fields.join(':');
}

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('round-trips any text', () => {
    const box = new SecretBox(key);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), (plain) => {
        expect(box.decrypt(box.encrypt(plain))).toBe(plain);
      }),
    );
  });

  it('writes v1:<keyId>:<iv>:<tag>:<ciphertext> with a fresh iv each time and no plaintext', () => {
    const box = new SecretBox(key);
    const first = box.encrypt(botToken);
    const second = box.encrypt(botToken);
    expect(first).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(first.split(':')[1]).toBe(keyIdOf(key));
    expect(first).not.toBe(second);
    expect(first).not.toContain(botToken);
    expect(first).not.toContain('AAHdqTcv');
  });

  it('refuses an altered iv, tag, ciphertext or key id', () => {
    const box = new SecretBox(key);
    const encrypted = box.encrypt(botToken);
    for (const fieldIndex of [2, 3, 4]) expect(() => box.decrypt(tamperField(encrypted, fieldIndex))).toThrow(SecretBoxError);
    const fields = encrypted.split(':');
    expect(() => box.decrypt(['v2', ...fields.slice(1)].join(':'))).toThrow(SecretBoxError);
    expect(() => box.decrypt([fields[0], '00000000', ...fields.slice(2)].join(':'))).toThrow(SecretBoxError);
  });

  it('reads values written under a previous key after a rotation, and writes under the new key', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const beforeRotation = new SecretBox(oldKey).encrypt(botToken);
    const rotated = new SecretBox(newKey, [oldKey]);
    expect(rotated.decrypt(beforeRotation)).toBe(botToken);
    expect(rotated.isEncryptedWithCurrentKey(beforeRotation)).toBe(false);
    const reEncrypted = rotated.encrypt(rotated.decrypt(beforeRotation));
    expect(rotated.isEncryptedWithCurrentKey(reEncrypted)).toBe(true);
    expect(new SecretBox(newKey).decrypt(reEncrypted)).toBe(botToken);
  });

  it('says clearly which key is missing, without the plaintext or any key', () => {
    const oldKey = randomBytes(32);
    const encrypted = new SecretBox(oldKey).encrypt(botToken);
    const error = errorOf(() => new SecretBox(key).decrypt(encrypted));
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error.message).toContain(keyIdOf(oldKey));
    expect(error.message).toContain('ENCRYPTION_KEY');
    for (const secret of [botToken, oldKey.toString('hex'), oldKey.toString('base64'), key.toString('hex'), key.toString('base64')]) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('throws only SecretBoxError for text it did not write', () => {
    const box = new SecretBox(key);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.base64String({ maxLength: 40 }), { maxLength: 6 }).map((fields) => ['v1', ...fields].join(':'))), (text) => {
        const error = errorOf(() => box.decrypt(text));
        expect(error).toBeInstanceOf(SecretBoxError);
      }),
    );
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(SecretBoxError);
    expect(() => new SecretBox(key, [Buffer.alloc(31)])).toThrow(SecretBoxError);
  });
});
