import fc from 'fast-check';
import { parse as parseContentDisposition } from 'content-disposition';
import { mediaResponseHeadersOf } from './media-response-headers.js';

describe('media response headers', () => {
  it('shows image, video and audio inline under their own type', () => {
    expect(mediaResponseHeadersOf('image/jpeg', 'photo_1.jpg')).toEqual({
      'content-type': 'image/jpeg',
      'content-disposition': 'inline; filename=photo_1.jpg',
      'x-content-type-options': 'nosniff',
    });
    expect(mediaResponseHeadersOf('video/mp4', undefined)['content-disposition']).toBe('inline');
    expect(mediaResponseHeadersOf('Audio/OGG; codecs=opus', 'voice.ogg')).toMatchObject({ 'content-type': 'audio/ogg', 'content-disposition': 'inline; filename=voice.ogg' });
  });

  it('serves every other type as an attachment', () => {
    for (const mime of ['application/pdf', 'text/plain', 'application/zip', 'text/css', 'application/json']) {
      const headers = mediaResponseHeadersOf(mime, 'file.bin');
      expect(headers['content-type']).toBe(mime);
      expect(headers['content-disposition']).toBe('attachment; filename=file.bin');
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never repeats an active type a customer chose, and never shows it inline', () => {
    const active = ['text/html', 'TEXT/HTML; charset=utf-8', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'application/rss+xml',
      'text/javascript', 'application/javascript', 'application/ecmascript', 'application/x-shockwave-flash', 'multipart/x-mixed-replace', 'text/xsl', 'image/svg'];
    for (const mime of active) {
      const headers = mediaResponseHeadersOf(mime, 'a.html');
      expect(headers['content-type']).toBe('application/octet-stream');
      expect(headers['content-disposition']).toBe('attachment; filename=a.html');
    }
  });

  it('replaces a missing or malformed type, including header injection attempts, with application/octet-stream', () => {
    for (const mime of [undefined, '', 'jpeg', 'image/', '/jpeg', 'image/jpeg\r\nSet-Cookie: a=b', 'image /jpeg', 'image/jpe g', 'ümage/jpeg']) {
      expect(mediaResponseHeadersOf(mime, undefined)).toEqual({
        'content-type': 'application/octet-stream',
        'content-disposition': 'attachment',
        'x-content-type-options': 'nosniff',
      });
    }
  });

  it('encodes unicode and awkward names as RFC 6266 filename* with an ASCII fallback', () => {
    expect(mediaResponseHeadersOf('application/pdf', 'Счёт №5.pdf')['content-disposition']).toBe(
      `attachment; filename="???? ?5.pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%965.pdf`,
    );
    expect(mediaResponseHeadersOf('application/pdf', 'a "quoted"\\name.pdf')['content-disposition']).toBe('attachment; filename="a \\"quoted\\"\\\\name.pdf"');
    expect(mediaResponseHeadersOf('application/pdf', 'line\r\nbreak.pdf')['content-disposition']).toBe(`attachment; filename="line??break.pdf"; filename*=UTF-8''line%0D%0Abreak.pdf`);
  });

  it('keeps any file name whole in an ASCII header that parses back to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }), fc.constantFrom('application/pdf', 'image/png', 'text/html'), (filename, mime) => {
        const disposition = mediaResponseHeadersOf(mime, filename)['content-disposition'];
        expect(disposition).toMatch(/^[\x20-\x7e]+$/);
        const wellFormed = filename.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
        expect(parseContentDisposition(disposition).parameters['filename']).toBe(wellFormed);
      }),
    );
  });
});
