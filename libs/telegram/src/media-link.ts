import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed, expiring links for `GET /media/:mediaLinkId?exp=…&sig=…`, through which Genesys fetches
 * customer files. The link carries only a short id; what it names (channel, Telegram file_id, and
 * the MIME type, name and size that getFile loses) is a `MediaLinkRecord` the bridge stores under
 * that id (media-link.store.ts). Real file_ids are 70–100+ characters and file names up to 255
 * bytes, so putting them in the path made links too long to serve (docs/adr/0006-media-link-ids.md);
 * the id has a fixed length, so the link does too. The id is an HMAC of what it names, so retries
 * of one message produce the same link and nobody without the key can derive an id from a file_id.
 * The signature covers id and expiry, so neither can be changed without the key.
 */

export interface MediaLinkRecord {
  channel: string;
  fileId: string;
  mime?: string | undefined;
  filename?: string | undefined;
  /** From the Telegram message, when it said; lets the link answer 413 without asking Telegram. */
  sizeBytes?: number | undefined;
}

export type MediaLinkVerdict = { ok: true; mediaLinkId: string } | { ok: false; reason: 'bad-signature' | 'expired' | 'malformed' };

const MIN_KEY_BYTES = 16;
const MEDIA_LINK_ID_BYTES = 16; // 128 bits: no two files share an id in practice
const MEDIA_LINK_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/; // 16 bytes in unpadded base64url
const EXP_PATTERN = /^\d{1,12}$/;
const MAX_EXPIRES_AT_S = 10 ** 12 - 1; // what EXP_PATTERN admits: year 33658
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes of HMAC-SHA256 in unpadded base64url

/** `/media/` + id + `?exp=` + up to 12 digits + `&sig=` + signature: the whole path and query, whatever the file. */
export const MEDIA_LINK_PATH_MAX_LENGTH = '/media/'.length + 22 + '?exp='.length + 12 + '&sig='.length + 43;

const StoredRecord = z.object({
  channel: z.string().min(1),
  fileId: z.string().min(1),
  mime: z.string().optional(),
  filename: z.string().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
});

/**
 * The id of the link to a file: 22 base64url characters, the same for the same record and key,
 * so a retried delivery hands Genesys the same link (with a fresh expiry).
 */
export function mediaLinkIdOf(record: MediaLinkRecord, key: Buffer): string {
  assertKey(key);
  if (record.channel.length === 0 || record.fileId.length === 0) throw new RangeError('channel and fileId must not be empty');
  // JSON of an array keeps the fields apart whatever characters they hold; size is left out on
  // purpose: it describes the file the other fields already name.
  const named = JSON.stringify(['tgg-media-link-id-v2', record.channel, record.fileId, record.mime ?? null, record.filename ?? null]);
  return createHmac('sha256', key).update(named).digest().subarray(0, MEDIA_LINK_ID_BYTES).toString('base64url');
}

/** `/media/<mediaLinkId>?exp=<expiresAtS>&sig=<base64url HMAC-SHA256>`, to be put after PUBLIC_BASE_URL. */
export function signMediaLink(mediaLinkId: string, expiresAtS: number, key: Buffer): string {
  assertKey(key);
  if (!MEDIA_LINK_ID_PATTERN.test(mediaLinkId)) throw new RangeError('not a media link id (see mediaLinkIdOf)');
  if (!Number.isInteger(expiresAtS) || expiresAtS < 0 || expiresAtS > MAX_EXPIRES_AT_S) {
    throw new RangeError('expiresAtS must be a whole number of Unix seconds');
  }
  const exp = String(expiresAtS);
  return `/media/${mediaLinkId}?exp=${exp}&sig=${signatureOf(mediaLinkId, exp, key)}`;
}

/** Checks a link from the request; never throws for anything a client can send. */
export function verifyMediaLink(
  mediaLinkId: string | undefined,
  exp: string | undefined,
  sig: string | undefined,
  key: Buffer,
  nowS: number,
): MediaLinkVerdict {
  assertKey(key);
  if (mediaLinkId === undefined || exp === undefined || sig === undefined) return { ok: false, reason: 'malformed' };
  if (!MEDIA_LINK_ID_PATTERN.test(mediaLinkId) || !EXP_PATTERN.test(exp) || !SIG_PATTERN.test(sig)) return { ok: false, reason: 'malformed' };
  // Compared as base64url text: a non-canonical encoding of the right bytes is refused too.
  const expected = Buffer.from(signatureOf(mediaLinkId, exp, key), 'ascii');
  const given = Buffer.from(sig, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (nowS >= Number(exp)) return { ok: false, reason: 'expired' };
  return { ok: true, mediaLinkId };
}

/** The stored form of a record (JSON), and back; `undefined` for anything that is not one. */
export function serializeMediaLinkRecord(record: MediaLinkRecord): string {
  return JSON.stringify(StoredRecord.parse(record));
}

export function parseMediaLinkRecord(text: string | null): MediaLinkRecord | undefined {
  if (text === null) return undefined;
  try {
    const parsed = StoredRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: treated like a missing record (404), never a crash
  }
}

function signatureOf(mediaLinkId: string, exp: string, key: Buffer): string {
  // A fixed prefix keeps these MACs apart from the ids and from anything else the same key might sign.
  return createHmac('sha256', key).update(`tgg-media-link-v2\n${mediaLinkId}\n${exp}`).digest('base64url');
}

function assertKey(key: Buffer): void {
  if (key.length < MIN_KEY_BYTES) throw new RangeError(`media link key must be at least ${MIN_KEY_BYTES} bytes`);
}
