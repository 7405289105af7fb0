import { createHmac, randomBytes } from 'node:crypto';
import { parse as parseContentDisposition } from 'content-disposition';
import { Redis } from 'ioredis';
import { mediaLinkIdOf, serializeMediaLinkRecord, signMediaLink } from '@tgg/telegram';
import { BridgeHarness, HARNESS_CREDENTIALS, redisUrl } from '@tgg/testing';

const MAX_LINK_LENGTH = 300; // SPEC §4: whatever the Telegram file id
const CHAT = { id: 7_300_000_001, type: 'private', first_name: 'Ana' };
const BASE = { chat: CHAT, from: { id: CHAT.id, is_bot: false, first_name: 'Ana' }, date: 1_767_225_600 };

// The longest plausible inputs: a 200-character file_id (real ones are 70–100+) and a file name of
// 255 UTF-8 bytes (the usual file-system limit) with characters a header must escape.
const LONGEST_FILE_ID = `BQACAgIAAxkBAAI${'x7_Q-'.repeat(37)}`.slice(0, 200);
const LONGEST_FILE_NAME = `Отчёт "повреждение"; 100% 📦📦 ${'ü'.repeat(200)}`;
const longestName = trimToBytes(LONGEST_FILE_NAME, 255 - '.pdf'.length) + '.pdf';

function trimToBytes(text: string, maxBytes: number): string {
  let result = '';
  for (const character of text) {
    if (Buffer.byteLength(result + character) > maxBytes) break;
    result += character;
  }
  return result;
}

function attachmentOf(message: { body: { content?: { attachment: { url: string; mime: string; filename?: string } }[] } } | undefined) {
  const attachment = message?.body.content?.[0]?.attachment;
  if (!attachment) throw new Error('Genesys received no attachment');
  return attachment;
}

describe('inbound media through signed, expiring links', () => {
  let bridge: BridgeHarness;
  let nextMessageId = 1;

  /** Posts a message update and returns what Genesys received for it. */
  async function deliver(content: Record<string, unknown>) {
    const messageId = nextMessageId++;
    await bridge.postUpdate({ update_id: messageId, message: { ...BASE, message_id: messageId, ...content } });
    const [message] = await bridge.genesys.waitForInbound((inbound) => inbound.body.channel.messageId === `${CHAT.id}:${messageId}`, 1, 20_000);
    return message;
  }

  function signingKey(): Buffer {
    return createHmac('sha256', Buffer.from(bridge.env['ENCRYPTION_KEY'] ?? '', 'hex')).update('tgg/media-links/v1').digest();
  }

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ windowMs: 0, env: { LOG_LEVEL: 'debug' } });
  }, 60_000);

  afterAll(async () => {
    await bridge.stop();
  });

  it('hands Genesys a photo and a document with real-shaped file ids by short link, serves the same bytes, and never leaks the bot token', async () => {
    const photoBytes = randomBytes(50_000);
    const documentBytes = randomBytes(120_000);
    const small = bridge.telegram.addUserFile('photo', randomBytes(900), { mime: 'image/jpeg' });
    const large = bridge.telegram.addUserFile('photo', photoBytes, { mime: 'image/jpeg' });
    const pdf = bridge.telegram.addUserFile('document', documentBytes, { mime: 'application/pdf' });
    expect(large.fileId.length).toBeGreaterThanOrEqual(70);

    const photoMessage = await deliver({
      caption: 'the damaged box',
      photo: [
        { file_id: small.fileId, file_unique_id: small.fileUniqueId, width: 90, height: 90, file_size: 900 },
        { file_id: large.fileId, file_unique_id: large.fileUniqueId, width: 1280, height: 960, file_size: photoBytes.length },
      ],
    });
    const documentMessage = await deliver({
      document: { file_id: pdf.fileId, file_unique_id: pdf.fileUniqueId, file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: documentBytes.length },
    });
    const photo = attachmentOf(photoMessage);
    const document = attachmentOf(documentMessage);
    expect(photo).toMatchObject({ mediaType: 'Image', mime: 'image/jpeg', id: large.fileUniqueId });
    expect(photoMessage?.body.text).toBe('the damaged box');
    expect(document).toMatchObject({ mediaType: 'File', mime: 'application/pdf', filename: 'invoice.pdf' });
    for (const { url } of [photo, document]) {
      expect(url.startsWith(`${bridge.url('ingress')}/media/`)).toBe(true);
      expect(url.length).toBeLessThanOrEqual(MAX_LINK_LENGTH);
    }
    expect(photo.url).not.toContain(large.fileId);

    const photoResponse = await fetch(photo.url);
    expect(photoResponse.status).toBe(200);
    expect(photoResponse.headers.get('content-type')).toBe('image/jpeg');
    expect(photoResponse.headers.get('x-content-type-options')).toBe('nosniff');
    expect(photoResponse.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await photoResponse.arrayBuffer()).equals(photoBytes)).toBe(true);
    const documentResponse = await fetch(document.url);
    expect(documentResponse.headers.get('content-type')).toBe('application/pdf');
    expect(documentResponse.headers.get('x-content-type-options')).toBe('nosniff');
    expect(parseContentDisposition(documentResponse.headers.get('content-disposition') ?? '')).toEqual({ type: 'attachment', parameters: { filename: 'invoice.pdf' } });
    expect(Buffer.from(await documentResponse.arrayBuffer()).equals(documentBytes)).toBe(true);

    const token = HARNESS_CREDENTIALS.botToken;
    expect(JSON.stringify(bridge.genesys.inbound)).not.toContain(token);
    expect(JSON.stringify(bridge.genesys.requests)).not.toContain(token);
    for (const service of ['ingress', 'sequencer', 'dispatcher'] as const) expect(bridge.logsOf(service)).not.toContain(token);
  }, 40_000);

  it('keeps the link short for a 200-character file_id and a 255-byte unicode file name, and names the file exactly', async () => {
    expect(Buffer.byteLength(longestName)).toBe(255);
    const bytes = randomBytes(70_000);
    bridge.telegram.addFile(LONGEST_FILE_ID, bytes, { mime: 'application/pdf' });
    const message = await deliver({
      document: { file_id: LONGEST_FILE_ID, file_unique_id: 'AgADxxxxxxxxxxxxxxxxx', file_name: longestName, mime_type: 'application/pdf', file_size: bytes.length },
    });
    const attachment = attachmentOf(message);
    expect(attachment.filename).toBe(longestName);
    expect(attachment.url.length).toBeLessThanOrEqual(MAX_LINK_LENGTH);

    const response = await fetch(attachment.url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    const disposition = response.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^[\x20-\x7e]+$/); // header stays ASCII: the name travels as filename*=UTF-8''…
    expect(disposition).toContain("filename*=UTF-8''");
    const parsed = parseContentDisposition(disposition);
    expect(parsed.type).toBe('attachment');
    expect(parsed.parameters['filename']).toBe(longestName); // decoded from filename*, which wins over the fallback
  }, 30_000);

  it('never serves a customer-chosen HTML or SVG file inline or under its active type', async () => {
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const htmlFile = bridge.telegram.addUserFile('document', html, { mime: 'text/html' });
    const svgFile = bridge.telegram.addUserFile('document', svg, { mime: 'image/svg+xml' });
    const htmlMessage = await deliver({ document: { file_id: htmlFile.fileId, file_unique_id: htmlFile.fileUniqueId, file_name: 'page.html', mime_type: 'text/html', file_size: html.length } });
    const svgMessage = await deliver({ document: { file_id: svgFile.fileId, file_unique_id: svgFile.fileUniqueId, file_name: 'logo.svg', mime_type: 'image/svg+xml', file_size: svg.length } });

    for (const [message, bytes, filename] of [[htmlMessage, html, 'page.html'], [svgMessage, svg, 'logo.svg']] as const) {
      const response = await fetch(attachmentOf(message).url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(parseContentDisposition(response.headers.get('content-disposition') ?? '')).toEqual({ type: 'attachment', parameters: { filename } });
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    }
  }, 30_000);

  it('answers 413 for a file over the 20 MB Telegram lets bots download', async () => {
    // Telegram does not always say file_size; then only getFile finds out ("file is too big").
    const huge = bridge.telegram.addUserFile('video', Buffer.alloc(20 * 1024 * 1024 + 1), { mime: 'video/mp4' });
    const message = await deliver({ video: { file_id: huge.fileId, file_unique_id: huge.fileUniqueId, width: 640, height: 360, duration: 60 } });
    const response = await fetch(attachmentOf(message).url);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('file_too_large');

    // A record that already says the file is too big is answered without asking Telegram.
    const record = { channel: 'default', fileId: `BAACAgIAAxkBAAI${'s'.repeat(56)}`, mime: 'video/mp4', sizeBytes: 20 * 1024 * 1024 + 1 };
    const key = signingKey();
    const mediaLinkId = mediaLinkIdOf(record, key);
    const redis = new Redis(redisUrl());
    try {
      await redis.set(`${bridge.queuePrefix}:media-link:${mediaLinkId}`, serializeMediaLinkRecord(record), 'EX', 600);
    } finally {
      await redis.quit();
    }
    const getFileCalls = bridge.telegram.callsTo('getFile').length;
    const known = await fetch(`${bridge.url('ingress')}${signMediaLink(mediaLinkId, Math.floor(Date.now() / 1000) + 600, key)}`);
    expect(known.status).toBe(413);
    expect(bridge.telegram.callsTo('getFile')).toHaveLength(getFileCalls);
  }, 30_000);

  it('answers 403 to a tampered or expired link and 404 to an unknown link or a file Telegram does not know', async () => {
    const pdf = bridge.telegram.addUserFile('document', randomBytes(1_000), { mime: 'application/pdf' });
    const message = await deliver({ document: { file_id: pdf.fileId, file_unique_id: pdf.fileUniqueId, file_name: 'a.pdf', mime_type: 'application/pdf' } });
    const url = new URL(attachmentOf(message).url);
    expect((await fetch(url)).status).toBe(200);

    const tamperedSig = new URL(url);
    tamperedSig.searchParams.set('sig', `${(url.searchParams.get('sig') ?? '').slice(0, -2)}AA`);
    expect((await fetch(tamperedSig)).status).toBe(403);
    const extended = new URL(url);
    extended.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    expect((await fetch(extended)).status).toBe(403);
    const otherId = new URL(url);
    otherId.pathname = `/media/${'A'.repeat(22)}`;
    expect((await fetch(otherId)).status).toBe(403);
    const missingSig = new URL(url);
    missingSig.searchParams.delete('sig');
    expect((await fetch(missingSig)).status).toBe(403);

    // Correctly signed but expired: 403 link_expired.
    const key = signingKey();
    const mediaLinkId = url.pathname.slice('/media/'.length);
    const expired = await fetch(`${bridge.url('ingress')}${signMediaLink(mediaLinkId, Math.floor(Date.now() / 1000) - 1, key)}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: string }).error).toBe('link_expired');

    // Correctly signed, but no link was ever issued for this id: 404, not a 5xx Genesys would retry.
    const neverIssued = mediaLinkIdOf({ channel: 'default', fileId: 'never-linked' }, key);
    const unknownLink = await fetch(`${bridge.url('ingress')}${signMediaLink(neverIssued, Math.floor(Date.now() / 1000) + 600, key)}`);
    expect(unknownLink.status).toBe(404);
    expect(((await unknownLink.json()) as { error: string }).error).toBe('unknown_media_link');

    // Issued for a file Telegram does not (or no longer) know: 404 too.
    const gone = await deliver({ document: { file_id: `BQACAgIAAxkBAAI${'z'.repeat(56)}`, file_unique_id: 'AgADzzzzzzzzzzz', file_name: 'gone.pdf', mime_type: 'application/pdf' } });
    const goneResponse = await fetch(attachmentOf(gone).url);
    expect(goneResponse.status).toBe(404);
    expect(((await goneResponse.json()) as { error: string }).error).toBe('file_not_found');
  }, 40_000);
});
