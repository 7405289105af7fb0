import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { isValidGenesysSignature, signGenesysWebhook } from './webhook-signature.js';

const secret = 'a-genesys-secret-longer-than-15';
const body = Buffer.from('{"id":"5c0b1f2e","channel":{"to":{"id":"7000000001"}},"type":"Text","text":"Hola Ana"}');

describe('Genesys webhook signature', () => {
  it('accepts the signature Genesys computes: sha256= + base64 HMAC-SHA256 of the raw body', () => {
    const header = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
    expect(signGenesysWebhook(body, secret)).toBe(header);
    expect(isValidGenesysSignature(body, header, secret)).toBe(true);
  });

  it('accepts any signed body and refuses it under another secret', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.string({ minLength: 16 }), (bytes, otherSecret) => {
        const rawBody = Buffer.from(bytes);
        const header = signGenesysWebhook(rawBody, secret);
        expect(isValidGenesysSignature(rawBody, header, secret)).toBe(true);
        if (otherSecret !== secret) expect(isValidGenesysSignature(rawBody, header, otherSecret)).toBe(false);
      }),
    );
  });

  it('refuses a tampered body, even one that parses to the same JSON', () => {
    const header = signGenesysWebhook(body, secret);
    expect(isValidGenesysSignature(Buffer.from(body.toString().replace('Hola', 'Hols')), header, secret)).toBe(false);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(isValidGenesysSignature(reserialised, header, secret)).toBe(false);
  });

  it('refuses the hex spelling, a missing prefix, and missing or malformed headers', () => {
    const mac = createHmac('sha256', secret).update(body).digest();
    const base64 = mac.toString('base64');
    expect(isValidGenesysSignature(body, `sha256=${mac.toString('hex')}`, secret)).toBe(false);
    expect(isValidGenesysSignature(body, base64, secret)).toBe(false);
    expect(isValidGenesysSignature(body, `sha1=${base64}`, secret)).toBe(false);
    expect(isValidGenesysSignature(body, `sha256=${base64.replace(/=$/, '')}`, secret)).toBe(false);
    expect(isValidGenesysSignature(body, `sha256=${mac.toString('base64url')}`, secret)).toBe(false);
    expect(isValidGenesysSignature(body, undefined, secret)).toBe(false);
    expect(isValidGenesysSignature(body, '', secret)).toBe(false);
    expect(isValidGenesysSignature(body, 'sha256=', secret)).toBe(false);
  });

  it('tolerates surrounding whitespace in the header', () => {
    expect(isValidGenesysSignature(body, ` ${signGenesysWebhook(body, secret)} `, secret)).toBe(true);
  });

  it('refuses everything when the secret is empty', () => {
    expect(isValidGenesysSignature(body, signGenesysWebhook(body, ''), '')).toBe(false);
  });

  it('never throws on random headers', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'grapheme', maxLength: 100 }), { nil: undefined }), (header) => {
        expect(isValidGenesysSignature(body, header, secret)).toBe(false);
      }),
    );
  });
});
