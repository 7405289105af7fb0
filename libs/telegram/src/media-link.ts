import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed, expiring links for `GET /media/:id?exp=…&sig=…`, through which Genesys fetches customer
 * files. The id names the file (channel, Telegram file_id, and the MIME type and name that getFile
 * loses); it never holds the bot token, which stays inside the bridge. The signature covers id and
 * expiry, so neither can be changed without the key.
 */

export interface MediaLinkTarget {
  channel: string;
  fileId: string;
  mime?: string | undefined;
  filename?: string | undefined;
}

export type MediaLinkVerdict =
  | { ok: true; channel: string; fileId: string; mime?: string; filename?: string }
  | { ok: false; reason: 'bad-signature' | 'expired' | 'malformed' };

const MIN_KEY_BYTES = 16;
const MAX_ID_LENGTH = 4_096; // far above channel + file_id + name; bounds the work an anonymous request causes
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const EXP_PATTERN = /^\d{1,12}$/;
const MAX_EXPIRES_AT_S = 10 ** 12 - 1; // what EXP_PATTERN admits: year 33658
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes of HMAC-SHA256 in unpadded base64url

const LinkId = z.object({
  c: z.string().min(1),
  f: z.string().min(1),
  m: z.string().optional(),
  n: z.string().optional(),
});

/** `/media/<id>?exp=<expiresAtS>&sig=<base64url HMAC-SHA256>`, to be put after PUBLIC_BASE_URL. */
export function signMediaLink(target: MediaLinkTarget & { expiresAtS: number }, key: Buffer): string {
  assertKey(key);
  if (!Number.isInteger(target.expiresAtS) || target.expiresAtS < 0 || target.expiresAtS > MAX_EXPIRES_AT_S) {
    throw new RangeError('expiresAtS must be a whole number of Unix seconds');
  }
  if (target.channel.length === 0 || target.fileId.length === 0) throw new RangeError('channel and fileId must not be empty');
  const linkId = { c: target.channel, f: target.fileId, m: target.mime, n: target.filename }; // JSON drops undefined m/n
  const id = Buffer.from(JSON.stringify(linkId), 'utf8').toString('base64url');
  if (id.length > MAX_ID_LENGTH) throw new RangeError('media link id too long (file name?)');
  const exp = String(target.expiresAtS);
  return `/media/${id}?exp=${exp}&sig=${signatureOf(id, exp, key)}`;
}

/** Checks a link from the query; never throws for anything a client can send. */
export function verifyMediaLink(
  id: string | undefined,
  exp: string | undefined,
  sig: string | undefined,
  key: Buffer,
  nowS: number,
): MediaLinkVerdict {
  assertKey(key);
  if (id === undefined || exp === undefined || sig === undefined) return { ok: false, reason: 'malformed' };
  if (id.length > MAX_ID_LENGTH || !ID_PATTERN.test(id) || !EXP_PATTERN.test(exp) || !SIG_PATTERN.test(sig)) {
    return { ok: false, reason: 'malformed' };
  }
  // Compared as base64url text: a non-canonical encoding of the right bytes is refused too.
  const expected = Buffer.from(signatureOf(id, exp, key), 'ascii');
  const given = Buffer.from(sig, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (nowS >= Number(exp)) return { ok: false, reason: 'expired' };
  const linkId = decodeLinkId(id);
  if (!linkId) return { ok: false, reason: 'malformed' }; // only reachable when the key signed a bad id
  return {
    ok: true,
    channel: linkId.c,
    fileId: linkId.f,
    ...(linkId.m === undefined ? {} : { mime: linkId.m }),
    ...(linkId.n === undefined ? {} : { filename: linkId.n }),
  };
}

function signatureOf(id: string, exp: string, key: Buffer): string {
  // A fixed prefix keeps these MACs apart from anything else the same key might sign.
  return createHmac('sha256', key).update(`tgg-media-link-v1\n${id}\n${exp}`).digest('base64url');
}

function decodeLinkId(id: string): z.infer<typeof LinkId> | undefined {
  try {
    const parsed = LinkId.safeParse(JSON.parse(Buffer.from(id, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: reported to the caller as 'malformed'
  }
}

function assertKey(key: Buffer): void {
  if (key.length < MIN_KEY_BYTES) throw new RangeError(`media link key must be at least ${MIN_KEY_BYTES} bytes`);
}
