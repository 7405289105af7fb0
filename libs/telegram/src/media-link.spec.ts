import fc from 'fast-check';
import { signMediaLink, verifyMediaLink } from './media-link.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const botToken = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

/** Splits `/media/<id>?exp=…&sig=…` the way the controller receives it. */
function partsOf(link: string): { id: string; exp: string; sig: string } {
  const url = new URL(link, 'https://bridge.example');
  return {
    id: decodeURIComponent(url.pathname.slice('/media/'.length)),
    exp: url.searchParams.get('exp') ?? '',
    sig: url.searchParams.get('sig') ?? '',
  };
}

function flipLastChar(text: string): string {
  return text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
}

describe('media links', () => {
  it('round-trips channel, file id, MIME type and file name', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 100 }), { nil: undefined }),
        fc.integer({ min: 1, max: 2 ** 32 }),
        (channel, fileId, mime, filename, expiresAtS) => {
          const link = signMediaLink({ channel, fileId, mime, filename, expiresAtS }, key);
          expect(link).toMatch(/^\/media\/[A-Za-z0-9_-]+\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
          const { id, exp, sig } = partsOf(link);
          const verdict = verifyMediaLink(id, exp, sig, key, expiresAtS - 1);
          expect(verdict).toEqual({
            ok: true,
            channel,
            fileId,
            ...(mime === undefined ? {} : { mime }),
            ...(filename === undefined ? {} : { filename }),
          });
        },
      ),
    );
  });

  it('keeps the id opaque to the bot token: only what it was given goes in', () => {
    const link = signMediaLink({ channel: 'default', fileId: 'AgACAgQAAxk', expiresAtS: 1_000 }, key);
    const { id } = partsOf(link);
    expect(JSON.parse(Buffer.from(id, 'base64url').toString('utf8'))).toEqual({ c: 'default', f: 'AgACAgQAAxk' });
    expect(link).not.toContain(botToken);
  });

  it('refuses a link whose id, expiry or signature was changed', () => {
    const link = signMediaLink({ channel: 'default', fileId: 'file-1', mime: 'image/jpeg', expiresAtS: 2_000 }, key);
    const { id, exp, sig } = partsOf(link);
    const forgedId = Buffer.from(JSON.stringify({ c: 'default', f: 'file-2', m: 'image/jpeg' })).toString('base64url');
    expect(verifyMediaLink(forgedId, exp, sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(id, '9999999999', sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(id, '1999', sig, key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(id, exp, flipLastChar(sig), key, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyMediaLink(id, exp, sig, otherKey, 1_000)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a link at and after its expiry', () => {
    const { id, exp, sig } = partsOf(signMediaLink({ channel: 'default', fileId: 'file-1', expiresAtS: 2_000 }, key));
    expect(verifyMediaLink(id, exp, sig, key, 1_999).ok).toBe(true);
    expect(verifyMediaLink(id, exp, sig, key, 2_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyMediaLink(id, exp, sig, key, 5_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('answers malformed for missing or malformed parts', () => {
    const { id, exp, sig } = partsOf(signMediaLink({ channel: 'default', fileId: 'file-1', expiresAtS: 2_000 }, key));
    expect(verifyMediaLink(undefined, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, undefined, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, exp, undefined, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(`${id}=`, exp, sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, '-5', sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, '1e9', sig, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, exp, `${sig}=`, key, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyMediaLink(id, exp, Buffer.from(sig, 'base64url').toString('hex'), key, 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws on random input and never accepts it', () => {
    const part = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.base64String({ maxLength: 120 }), fc.constant(undefined));
    fc.assert(
      fc.property(part, part, part, fc.integer(), (id, exp, sig, nowS) => {
        const verdict = verifyMediaLink(id, exp, sig, key, nowS);
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to sign or verify with a short key', () => {
    expect(() => signMediaLink({ channel: 'default', fileId: 'f', expiresAtS: 1 }, Buffer.alloc(8))).toThrow(RangeError);
    expect(() => verifyMediaLink('a', '1', 'b', Buffer.alloc(0), 0)).toThrow(RangeError);
    expect(() => signMediaLink({ channel: 'default', fileId: 'f', expiresAtS: 10 ** 12 }, key)).toThrow(RangeError);
  });
});
