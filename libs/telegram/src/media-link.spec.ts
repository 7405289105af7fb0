import fc from 'fast-check';
import { MEDIA_LINK_PATH_MAX_LENGTH, mediaLinkIdOf, parseMediaLinkRecord, serializeMediaLinkRecord, signMediaLink, verifyMediaLink } from './media-link.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const botToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
// A photo file_id as the Bot API issues them (87 characters).
const realPhotoFileId = 'AgACAgIAAxkBAAIBZ2Wb1Xk0Ys6PjQ0mXqXs3G3_vE6a3u3UAAJSOQACQhvpSVZAaZl6S0ZoAQADAgADeQADNAQ';

/** Splits `/media/<id>?exp=…&sig=…` the way the controller receives it. */
function partsOf(link: string): { mediaLinkId: string; exp: string; sig: string } {
  const url = new URL(link, 'https://bridge.example');
  return {
    mediaLinkId: decodeURIComponent(url.pathname.slice('/media/'.length)),
    exp: url.searchParams.get('exp') ?? '',
    sig: url.searchParams.get('sig') ?? '',
  };
}

function flipLastChar(text: string): string {
  return text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
}

const anyRecord = fc.record(
  {
    channel: fc.string({ minLength: 1, maxLength: 64 }),
    fileId: fc.string({ minLength: 1, maxLength: 1_000 }),
    mime: fc.string({ maxLength: 255 }),
    filename: fc.string({ unit: 'grapheme', maxLength: 255 }),
    sizeBytes: fc.integer({ min: 0, max: 2 ** 52 }),
  },
  { requiredKeys: ['channel', 'fileId'] },
);

describe('media links', () => {
  it('keeps the link within MEDIA_LINK_PATH_MAX_LENGTH whatever file it names, and verifies it', () => {
    fc.assert(
      fc.property(anyRecord, fc.integer({ min: 1, max: 10 ** 12 - 1 }), (record, expiresAtS) => {
        const mediaLinkId = mediaLinkIdOf(record, key);
        const link = signMediaLink(mediaLinkId, expiresAtS, key);
        expect(link).toMatch(/^\/media\/[A-Za-z0-9_-]{22}\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
        expect(link.length).toBeLessThanOrEqual(MEDIA_LINK_PATH_MAX_LENGTH);
        const { exp, sig } = partsOf(link);
        expect(partsOf(link).mediaLinkId).toBe(mediaLinkId);
        expect(verifyMediaLink(mediaLinkId, exp, sig, key, expiresAtS - 1)).toEqual({ ok: true, mediaLinkId });
      }),
    );
    expect(MEDIA_LINK_PATH_MAX_LENGTH).toBeLessThanOrEqual(100); // leaves 200 characters for PUBLIC_BASE_URL
  });

  it('gives a record the same id every time, and different channels, files, types or names different ids', () => {
    const record = { channel: 'default', fileId: realPhotoFileId, mime: 'image/jpeg', filename: 'photo_1.jpg' };
    expect(mediaLinkIdOf(record, key)).toBe(mediaLinkIdOf({ ...record }, key));
    expect(mediaLinkIdOf({ ...record, sizeBytes: 10 }, key)).toBe(mediaLinkIdOf(record, key)); // the size describes the same file
    const variants = [
      record,
      { ...record, channel: 'other' },
      { ...record, fileId: `${realPhotoFileId}A` },
      { ...record, mime: 'image/png' },
      { ...record, mime: undefined },
      { ...record, filename: 'photo_2.jpg' },
      { ...record, filename: undefined },
      // Fields that would run together if they were simply concatenated.
      { channel: 'default', fileId: `${realPhotoFileId}image/jpeg`, mime: '', filename: 'photo_1.jpg' },
    ];
    expect(new Set(variants.map((variant) => mediaLinkIdOf(variant, key))).size).toBe(variants.length);
    expect(mediaLinkIdOf(record, otherKey)).not.toBe(mediaLinkIdOf(record, key));
  });

  it('puts neither the file id, the file name nor the bot token in the link', () => {
    const record = { channel: 'default', fileId: realPhotoFileId, filename: `${botToken}.pdf` };
    const link = signMediaLink(mediaLinkIdOf(record, key), 2_000_000_000, key);
    for (const secretish of [realPhotoFileId, realPhotoFileId.slice(0, 20), botToken, 'default']) expect(link).not.toContain(secretish);
  });

  it('refuses a link whose id, expiry or signature was changed', () => {
    const mediaLinkId = mediaLinkIdOf({ channel: 'default', fileId: 'file-1', mime: 'image/jpeg' }, key);
    const { exp, sig } = partsOf(signMediaLink(mediaLinkId, 2_000, key));
    const otherId = mediaLinkIdOf({ channel: 'default', fileId: 'file-2', mime: 'image/jpeg' }, key);
    expect(verifyMediaLink(otherId, exp, sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(flipLastChar(mediaLinkId), exp, sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(mediaLinkId, '9999999999', sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(mediaLinkId, '1999', sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(mediaLinkId, exp, flipLastChar(sig), key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(mediaLinkId, exp, sig, otherKey, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a link at and after its expiry', () => {
    const mediaLinkId = mediaLinkIdOf({ channel: 'default', fileId: 'file-1' }, key);
    const { exp, sig } = partsOf(signMediaLink(mediaLinkId, 2_000, key));
    expect(verifyMediaLink(mediaLinkId, exp, sig, key, 1_999).ok).toBe(true);
    expect(verifyMediaLink(mediaLinkId, exp, sig, key, 2_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyMediaLink(mediaLinkId, exp, sig, key, 5_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('answers malformed for missing or malformed parts', () => {
    const mediaLinkId = mediaLinkIdOf({ channel: 'default', fileId: 'file-1' }, key);
    const { exp, sig } = partsOf(signMediaLink(mediaLinkId, 2_000, key));
    expect(verifyMediaLink(undefined, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, undefined, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, exp, undefined, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(`${mediaLinkId}A`, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId.slice(1), exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(`${mediaLinkId.slice(1)}=`, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    // The old link shape (base64 JSON of the file reference) is no link any more.
    const oldId = Buffer.from(JSON.stringify({ c: 'default', f: 'file-1' })).toString('base64url');
    expect(verifyMediaLink(oldId, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, '-5', sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, '1e9', sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, exp, `${sig}=`, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(mediaLinkId, exp, Buffer.from(sig, 'base64url').toString('hex'), key, 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws on random input and never accepts it', () => {
    const part = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.base64String({ maxLength: 120 }), fc.constant(undefined));
    fc.assert(
      fc.property(part, part, part, fc.integer(), (mediaLinkId, exp, sig, nowS) => {
        const verdict = verifyMediaLink(mediaLinkId, exp, sig, key, nowS);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to make or check links with a short key, an empty record, a bad id or expiry', () => {
    expect(() => mediaLinkIdOf({ channel: 'default', fileId: 'f' }, Buffer.alloc(8))).toThrow(RangeError);
    expect(() => mediaLinkIdOf({ channel: '', fileId: 'f' }, key)).toThrow(RangeError);
    expect(() => mediaLinkIdOf({ channel: 'default', fileId: '' }, key)).toThrow(RangeError);
    const mediaLinkId = mediaLinkIdOf({ channel: 'default', fileId: 'f' }, key);
    expect(() => signMediaLink(mediaLinkId, 1, Buffer.alloc(8))).toThrow(RangeError);
    expect(() => signMediaLink('not an id', 1, key)).toThrow(RangeError);
    expect(() => signMediaLink(mediaLinkId, 10 ** 12, key)).toThrow(RangeError);
    expect(() => signMediaLink(mediaLinkId, 1.5, key)).toThrow(RangeError);
    expect(() => verifyMediaLink('a', '1', 'b', Buffer.alloc(0), 0)).toThrow(RangeError);
  });
});

describe('media link records', () => {
  it('round-trip through their stored form', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        expect(parseMediaLinkRecord(serializeMediaLinkRecord(record))).toEqual(record);
      }),
    );
  });

  it('read anything that is not a record as missing', () => {
    for (const stored of [null, '', 'not json', '{}', '[]', '{"channel":"default"}', '{"channel":"default","fileId":"f","sizeBytes":-1}']) {
      expect(parseMediaLinkRecord(stored)).toBeUndefined();
    }
  });
});
