import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (bot tokens, webhook secrets): AES-256-GCM, written as
 * `v1:<keyId>:<iv b64>:<tag b64>:<ciphertext b64>`. keyId (first 8 hex characters of sha256(key))
 * names the key without revealing it, so after ENCRYPTION_KEY changes, values written under the
 * old key are still read with it (pass it in `previousKeys`) until they are re-encrypted.
 * Errors name the problem, never the plaintext or a key. Keys come from @tgg/config's parseEncryptionKey.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const FORMAT_VERSION = 'v1';
const BASE64_FIELD = /^[A-Za-z0-9+/]*={0,2}$/;
const KEY_ID = /^[0-9a-f]{8}$/;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/** Public fingerprint of a key: 32 bits of its SHA-256, enough to pick the right key, useless to guess it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  private readonly current: { key: Buffer; keyId: string };
  private readonly keys: readonly { key: Buffer; keyId: string }[];

  constructor(currentKey: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== KEY_BYTES) throw new SecretBoxError(`encryption keys must be ${KEY_BYTES} bytes`);
    }
    this.current = { key: Buffer.from(currentKey), keyId: keyIdOf(currentKey) };
    this.keys = [this.current, ...previousKeys.map((key) => ({ key: Buffer.from(key), keyId: keyIdOf(key) }))];
  }

  encrypt(plain: string): string {
    const { key, keyId } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(keyId)); // binds version and key id: neither can be swapped unnoticed
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(text: string): string {
    const fields = text.split(':');
    const [version, keyId = '', ivText = '', tagText = '', ciphertextText = ''] = fields;
    const wellFormed = fields.length === 5 && version === FORMAT_VERSION && KEY_ID.test(keyId);
    if (!wellFormed || ![ivText, tagText, ciphertextText].every((field) => BASE64_FIELD.test(field))) {
      throw new SecretBoxError('not an encrypted secret (expected v1:<keyId>:<iv>:<tag>:<ciphertext>)');
    }
    const iv = Buffer.from(ivText, 'base64');
    const tag = Buffer.from(tagText, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('not an encrypted secret (bad iv or tag length)');
    const candidates = this.keys.filter((candidate) => candidate.keyId === keyId);
    if (candidates.length === 0) {
      throw new SecretBoxError(
        `secret was encrypted with key ${keyId}, which is neither ENCRYPTION_KEY (${this.current.keyId}) nor a previous key given`,
      );
    }
    for (const { key } of candidates) {
      const plain = tryDecrypt(key, keyId, iv, tag, Buffer.from(ciphertextText, 'base64'));
      if (plain !== undefined) return plain;
    }
    throw new SecretBoxError(`secret under key ${keyId} failed authentication: it was altered, or the key is wrong`);
  }

  /** False for values written under a previous key: re-encrypt them to finish a rotation. */
  isEncryptedWithCurrentKey(text: string): boolean {
    return text.startsWith(`${FORMAT_VERSION}:${this.current.keyId}:`);
  }
}

function tryDecrypt(key: Buffer, keyId: string, iv: Buffer, tag: Buffer, ciphertext: Buffer): string | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(keyId));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined; // authentication failed; the caller reports it without details of the value
  }
}

function associatedData(keyId: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}:${keyId}`, 'utf8');
}
